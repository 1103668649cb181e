// The job worker inside the app process, started once per server process by instrumentation.ts (unless
// JOBS_IN_APP=0). On the embedded database it is the only worker there can be (one process opens the database),
// so at start every job still marked running is an orphan of the previous run and is resumed at once.
import { getOpenedDb } from "../db";
import { env } from "../env";
import { log } from "../log";
import { expireAllLeases } from "./queue";
import { startWorker, type Worker } from "./worker";

/** Jobs the app runs at once; `npm run worker` processes add to this. */
export const IN_APP_CONCURRENCY = 2;

const g = globalThis as unknown as { __abstainInAppWorker?: Promise<Worker | null> };

export function startInAppWorker(): Promise<Worker | null> {
  g.__abstainInAppWorker ??= (async () => {
    if (!env().JOBS_IN_APP) {
      log.info("in-app job worker disabled (JOBS_IN_APP=0): jobs run only in `npm run worker` processes");
      return null;
    }
    try {
      const opened = await getOpenedDb();
      if (opened.kind === "pglite") {
        const n = await expireAllLeases(opened.db);
        if (n) log.info({ jobs: n }, "resuming jobs interrupted by the last shutdown");
      }
      return startWorker({ opened, concurrency: IN_APP_CONCURRENCY, keepProcessAlive: false });
    } catch (err) {
      log.error({ err }, "in-app job worker could not start; jobs wait for a worker");
      g.__abstainInAppWorker = undefined;
      return null;
    }
  })();
  return g.__abstainInAppWorker;
}
