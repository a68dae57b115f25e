import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";

/**
 * One Burnrate server per data directory: a second `npm start` on the same data would
 * fight the first over the embedded database. The lock holds the owner's pid; a lock
 * whose process is gone (killed run) is taken over.
 */
export function acquireProcessLock(file: string): { release: () => void } {
  if (existsSync(file)) {
    const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new Error(`Burnrate is already running on this data directory (pid ${pid}). Stop it first.`);
    }
  }
  writeFileSync(file, String(process.pid));
  return {
    release: () => {
      if (existsSync(file) && readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file, { force: true });
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
