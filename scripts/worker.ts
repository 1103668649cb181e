// A job worker as its own process: claims judge, generation and import jobs from the configured database and
// runs them (lib/jobs/worker.ts). Start as many as you like, on any machine that reaches the same PostgreSQL
// database; the app's own in-app worker (JOBS_IN_APP) runs beside them. On the embedded database only one
// process can open it, so there the app's in-app worker is the one that runs jobs.
//
//   npm run worker -- [--concurrency N] [--kinds judge,generate,import] [--poll-ms N] [--lease-ms N] [--id NAME]
//                     [--batch judge=2000,generate=32] [--judge-threads N]
//
//   --concurrency   jobs run at once (default 2)
//   --kinds         job kinds to take (default all). Import jobs read a file the web server spooled to its own
//                   disk: give them only to workers on that machine.
//   --lease-ms      how long a job stays claimed without a heartbeat (default 30000): after a crash, another
//                   worker resumes the job this long after the last heartbeat
//   --batch         items per batch per kind (tuning; defaults in lib/jobs/handlers)
//   --judge-threads threads that run the heuristic judge beside the main thread (default: cores − 1, at most 4)
//
// Ctrl-C / SIGTERM: running jobs stop after their current batch and go back to the queue (another worker, or
// this one when restarted, resumes them from their cursor). A second signal exits at once; the jobs then resume
// when their lease expires.
import { parseArgs } from "node:util";
import { closeDb, getOpenedDb } from "../lib/db";
import { JOB_KINDS } from "../lib/jobs/schema";
import { defaultJudgeThreads } from "../lib/jobs/judge-pool";
import { DEFAULT_LEASE_MS, DEFAULT_POLL_MS, startWorker } from "../lib/jobs/worker";
import { describeDatabase } from "./cli";

function usage(message: string): never {
  console.error(`error: ${message}\nusage: npm run worker -- [--concurrency N] [--kinds ${JOB_KINDS.join(",")}] [--poll-ms N] [--lease-ms N] [--id NAME] [--batch kind=N,…] [--judge-threads N]`);
  process.exit(2);
}

function positive(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) usage(`--${name} must be a positive whole number (got "${v}")`);
  return n;
}

let values;
try {
  values = parseArgs({
    options: {
      concurrency: { type: "string" },
      kinds: { type: "string" },
      "poll-ms": { type: "string" },
      "lease-ms": { type: "string" },
      id: { type: "string" },
      batch: { type: "string" },
      "judge-threads": { type: "string" },
    },
    strict: true,
  }).values;
} catch (err) {
  usage((err as Error).message);
}

const kinds = values.kinds ? values.kinds.split(",").map((k) => k.trim()).filter(Boolean) : [...JOB_KINDS];
const unknown = kinds.filter((k) => !(JOB_KINDS as readonly string[]).includes(k));
if (unknown.length) usage(`unknown job kind ${unknown.map((k) => `"${k}"`).join(", ")}; the kinds are ${JOB_KINDS.join(", ")}`);
const batchSize: Record<string, number> = {};
for (const part of (values.batch ?? "").split(",").filter(Boolean)) {
  const [k, n] = part.split("=");
  if (!(JOB_KINDS as readonly string[]).includes(k)) usage(`--batch: unknown job kind "${k}"`);
  batchSize[k] = positive("batch", n, 1);
}

const judgeThreadsArg = values["judge-threads"];
const judgeThreads = judgeThreadsArg === undefined ? defaultJudgeThreads() : judgeThreadsArg === "0" ? 0 : positive("judge-threads", judgeThreadsArg, 1);

try {
  await getOpenedDb(); // fails here, with a clear message, when the embedded database is in use by the app
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
}

const worker = startWorker({
  concurrency: positive("concurrency", values.concurrency, 2),
  kinds,
  pollMs: positive("poll-ms", values["poll-ms"], DEFAULT_POLL_MS),
  leaseMs: positive("lease-ms", values["lease-ms"], DEFAULT_LEASE_MS),
  workerId: values.id,
  services: { batchSize },
  judgeThreads,
});
console.log(`Worker ${worker.id} on ${describeDatabase()}, taking ${kinds.join(", ")} jobs, ${judgeThreads} judge thread${judgeThreads === 1 ? "" : "s"} (Ctrl-C to stop).`);

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log("Stopping: running jobs go back to the queue after their current batch …");
    worker
      .stop({ release: true })
      .then(() => closeDb())
      .then(
        () => process.exit(0),
        (err) => {
          console.error(`error while stopping: ${(err as Error).message}`);
          process.exit(1);
        },
      );
  });
}
