// A judge thread (judge-pool.ts): labels the responses it is sent with the heuristic judge and sends the labels
// back, so the worker's main thread keeps reading and writing batches meanwhile.
import { parentPort } from "node:worker_threads";
import { heuristicLabel, type HeuristicItem, type JudgedLabel } from "./heuristic-label";

export type ThreadResult = { ok: JudgedLabel } | { error: string };

parentPort?.on("message", (m: { id: number; items: HeuristicItem[] }) => {
  const out: ThreadResult[] = m.items.map((item) => {
    try {
      return { ok: heuristicLabel(item) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  });
  parentPort!.postMessage({ id: m.id, out });
});
parentPort?.postMessage({ ready: true });
