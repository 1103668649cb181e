// Next.js calls register() once when a server process starts: it starts the in-app job worker
// (lib/jobs/in-app.ts; JOBS_IN_APP=0 turns it off).
//
// The two process.env reads below are Next's own signals, not configuration (lib/env.ts reads all of that):
// NEXT_RUNTIME is replaced at build time, so the edge bundle drops the Node.js-only import; NEXT_PHASE keeps a
// production build (which may load this file while collecting pages) from starting a worker.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    if (process.env.NEXT_PHASE === "phase-production-build") return;
    const { startInAppWorker } = await import("./lib/jobs/in-app");
    // Not awaited: the server starts serving while the worker opens the database and polls.
    void startInAppWorker();
  }
}
