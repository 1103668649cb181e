// Whether a process runs: for lock files that name their owner (lib/db.ts, lib/test/pg-server.ts). No imports,
// so test infrastructure can use it before the app's configuration is loaded.

/** Whether process `pid` is running (EPERM: it runs, as another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
