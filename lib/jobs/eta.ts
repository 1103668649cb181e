// Progress rate and time left of a job. Pure.
//
// The rate is measured over the current attempt only (items done since the worker claimed the job, divided by
// the time since then), so a job that resumed after a restart is not judged by the hours it sat waiting, and a
// job that stalls (endpoint slow, worker busy) sees its rate fall and its ETA grow while it stalls.

export interface RateInput {
  status: string;
  total: number;
  done: number;
  /** When the current attempt began and how many items were done then (queue.ts keeps these while running). */
  attemptStartedAt: Date | null;
  attemptStartDone: number;
  now: Date;
}

/** Below this much elapsed time a rate is noise. */
export const MIN_RATE_WINDOW_MS = 1000;

export function jobRate(p: RateInput): { rate: number | null; etaSeconds: number | null } {
  if (p.status !== "running" || !p.attemptStartedAt) return { rate: null, etaSeconds: null };
  const elapsedMs = p.now.getTime() - p.attemptStartedAt.getTime();
  const progressed = p.done - p.attemptStartDone;
  if (elapsedMs < MIN_RATE_WINDOW_MS || progressed <= 0) return { rate: null, etaSeconds: null };
  const rate = progressed / (elapsedMs / 1000);
  const left = p.total - p.done;
  return { rate, etaSeconds: p.total > 0 && left >= 0 ? Math.ceil(left / rate) : null };
}

/** "45 s", "3 min 20 s", "2 h 05 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** Percent done for a progress bar (0–100, whole numbers); null when the total is not known yet. */
export function percentDone(done: number, total: number): number | null {
  if (total <= 0) return null;
  return Math.min(100, Math.floor((done / total) * 100));
}
