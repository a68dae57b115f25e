import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";

/**
 * `npm start`'s command after `node` (package.json, read rather than copied: the tests, drills
 * and benchmarks run the server with the very flags users get).
 */
export function startCommandArgs(): string[] {
  const start = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts.start ?? "";
  const [node, ...args] = start.split(/\s+/);
  if (node !== "node" || args.at(-1) !== "scripts/start.ts") throw new Error(`package.json's start script is not "node … scripts/start.ts": ${start}`);
  return args;
}

/** The app as users start it: `npm start`'s command (startCommandArgs). */
export interface AppProcess {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  /** Resolves with the exit code after SIGINT (Ctrl-C) or SIGTERM. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export async function startApp(env: Record<string, string>, timeoutMs = 600_000): Promise<AppProcess> {
  const port = await freePort();
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const nodeArgs = process.env.BURNRATE_APP_NODE_ARGS ? process.env.BURNRATE_APP_NODE_ARGS.split(" ") : [];
  // Flags of one's own (BURNRATE_APP_NODE_ARGS) after npm start's: for V8 the last one wins.
  const start = startCommandArgs();
  const child = spawn(process.execPath, [...start.slice(0, -1), ...nodeArgs, ...start.slice(-1)], {
    env: { ...inherited, PORT: String(port), NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app not ready after ${timeoutMs} ms:\n${log}`)), timeoutMs);
    const check = () => {
      if (log.includes("Burnrate is ready on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${code}) before it was ready:\n${log}`));
    });
  });

  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    baseUrl: `http://localhost:${port}`,
    output: () => log,
    stop: async (signal = "SIGINT") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
