/**
 * What every `node` command of the project loads first (`node --import ./scripts/node-hooks.mjs`:
 * package.json's scripts, the tests' child processes): TypeScript through tsx, and the
 * `server-only` marker resolved as Next resolves it on the server, to an empty module.
 *
 * Modules that reach the database start with `import "server-only"`, so a client component
 * that imports one fails Next's build; outside Next (the custom server, the CLI, the seed,
 * benchmarks) they are simply server code.
 */
import { register } from "node:module";
import "tsx";

register("./server-only-hook.mjs", import.meta.url);
