// Rate and concurrency limits, pure: the clock is passed in, so the tests state times exactly.
//
// Rates are a sliding-window log: a key keeps the times of the requests it was allowed in the last window
// (at most `max` of them), and a request is allowed while fewer than `max` remain. That is exactly what the
// message promises ("at most 10 a minute": never 11 within any 60 s), and the wait it names is exact too: until
// the oldest kept request leaves the window. A token bucket would let a client that paused send a burst of
// `max` right after another, which is what these limits are for stopping. Refused requests are not recorded,
// so hammering a limit does not push the retry time further out.

export interface RateRule {
  /** Requests allowed per window; 0 means no limit. */
  max: number;
  windowMs: number;
}

export type RateDecision = { ok: true; hits: number[] } | { ok: false; hits: number[]; retryAfterMs: number };

/**
 * Whether one more request at `now` fits the rule, given the times of the key's earlier allowed requests
 * (oldest first). Returns the times to keep: the window's, plus `now` when allowed.
 */
export function admit(hits: readonly number[], now: number, rule: RateRule): RateDecision {
  if (rule.max === 0) return { ok: true, hits: [] };
  const recent = hits.filter((t) => t > now - rule.windowMs);
  if (recent.length < rule.max) return { ok: true, hits: [...recent, now] };
  // The request that leaves the window first is the one `max` places before the next.
  return { ok: false, hits: recent, retryAfterMs: recent[recent.length - rule.max] + rule.windowMs - now };
}

/**
 * Rates per key (e.g. "exports:<user id>") over time, in memory. Keys are only added for signed-in users, and
 * each keeps at most `max` times, so the map stays as small as users × limits; a key whose window has emptied
 * is dropped on its next check.
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly now: () => number) {}

  take(key: string, rule: RateRule): { ok: true } | { ok: false; retryAfterMs: number } {
    const d = admit(this.hits.get(key) ?? [], this.now(), rule);
    if (d.hits.length) this.hits.set(key, d.hits);
    else this.hits.delete(key);
    return d.ok ? { ok: true } : { ok: false, retryAfterMs: d.retryAfterMs };
  }
}

/** Work in progress per key (e.g. exports streaming to one user), with a cap. */
export class ConcurrencyLimiter {
  private readonly held = new Map<string, number>();

  /**
   * A slot for `key`, or null when `max` are taken (0 means no limit). The returned release gives the slot back
   * and may be called more than once (a stream can both end and close); only the first call counts.
   */
  acquire(key: string, max: number): (() => void) | null {
    const n = this.held.get(key) ?? 0;
    if (max > 0 && n >= max) return null;
    this.held.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(key) ?? 1) - 1;
      if (left > 0) this.held.set(key, left);
      else this.held.delete(key);
    };
  }
}
