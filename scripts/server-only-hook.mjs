/** A module resolve hook (scripts/node-hooks.mjs): `server-only` is an empty module outside Next. */
const EMPTY = "data:text/javascript,export%20%7B%7D";

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "server-only") return { url: EMPTY, shortCircuit: true, format: "module" };
  return nextResolve(specifier, context);
}
