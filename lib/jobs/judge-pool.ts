// Heuristic judging on worker threads. The heuristic costs ~100–200 µs of CPU per response, several times what
// the database spends storing a label (bench/judge.ts), so in one thread a judge job runs at the heuristic's speed
// however fast the rest is. With threads, each batch is split across them and the main thread keeps reading the
// next batch and committing the last one.
//
// The threads load TypeScript through tsx, so a pool exists where tsx runs the process (`npm run worker`, the
// bench, tests); inside the Next.js server the heuristic runs on the main thread (between the app's requests).
// A pool that cannot start returns null and the caller judges on its own thread.
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { HeuristicItem } from "./heuristic-label";
import type { ThreadResult } from "./judge-thread";

export type { ThreadResult };

export interface JudgePool {
  threads: number;
  /** Labels of `items`, in order, each computed on one of the threads. */
  label(items: readonly HeuristicItem[]): Promise<ThreadResult[]>;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

/**
 * One thread per core beside the main thread (which reads and writes the batches), at most 4; none on one or two
 * cores. On two cores a judge thread competes with the main thread and the database: bench/judge.ts measured no
 * gain from it (100,000 responses: 0.55×–0.60× of a bare insert either way), so it is not worth its start-up and
 * memory there.
 */
export function defaultJudgeThreads(): number {
  const cores = availableParallelism();
  return cores <= 2 ? 0 : Math.min(4, cores - 1);
}

/** tsx's ESM API as a file URL, resolved from this project (the eval'd thread has no module of its own to resolve from). */
function tsxApi(): string | null {
  try {
    const cjs = createRequire(import.meta.url).resolve("tsx/esm/api");
    const mjs = cjs.replace(/\.cjs$/, ".mjs");
    return pathToFileURL(existsSync(mjs) ? mjs : cjs).href;
  } catch {
    return null;
  }
}

function spawn(api: string, entry: string): Worker {
  const code = `
    const { parentPort } = require("node:worker_threads");
    import(${JSON.stringify(api)})
      .then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))
      .catch((err) => parentPort.postMessage({ failed: String(err && err.message || err) }));`;
  return new Worker(code, { eval: true });
}

export async function startJudgePool(threads: number): Promise<JudgePool | null> {
  if (threads < 1) return null;
  const api = tsxApi();
  if (!api) return null;
  const entry = new URL("./judge-thread.ts", import.meta.url).href;
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < threads; i++) workers.push(spawn(api, entry));
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("judge thread did not start")), START_TIMEOUT_MS);
            w.once("error", reject);
            w.once("message", (m: { ready?: boolean; failed?: string }) => {
              clearTimeout(timer);
              w.off("error", reject);
              if (m.ready) resolve();
              else reject(new Error(m.failed ?? "judge thread failed to start"));
            });
          }),
      ),
    );
  } catch {
    await Promise.all(workers.map((w) => w.terminate()));
    return null;
  }
  for (const w of workers) w.unref();

  let nextId = 0;
  const ask = (w: Worker, items: HeuristicItem[]) =>
    new Promise<ThreadResult[]>((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (m: { id: number; out: ThreadResult[] }) => {
        if (m.id !== id) return;
        cleanup();
        resolve(m.out);
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`judge thread exited (code ${code})`));
      };
      const cleanup = () => {
        w.off("message", onMessage);
        w.off("error", onError);
        w.off("exit", onExit);
      };
      w.on("message", onMessage);
      w.once("error", onError);
      w.once("exit", onExit);
      w.postMessage({ id, items });
    });

  return {
    threads,
    async label(items) {
      if (!items.length) return [];
      const per = Math.ceil(items.length / workers.length);
      const parts = await Promise.all(workers.map((w, i) => (i * per < items.length ? ask(w, items.slice(i * per, (i + 1) * per)) : Promise.resolve([]))));
      return parts.flat();
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
