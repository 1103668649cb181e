// The limits on expensive endpoints, per signed-in user (values from lib/env.ts), and their 429 answer.
//
// Counts live in this process's memory. Several app processes each keep their own, so behind a load balancer a
// user may reach a limit once per process. That is acceptable: what the limits protect is the process's own CPU
// and memory (an export or an import streams through it) and the database from one user's bursts, and each
// process bounds its share; a shared store would cost a database write on every request for a bound that is
// already within a factor of the process count. A restart forgets the counts, which only ever lets work through.
import { env, type Env } from "../env";
import { AppError } from "../errors";
import { ConcurrencyLimiter, RateLimiter } from "./limiter";

const MINUTE = 60_000;

/** Each limit: what the message calls the requests it counts, and its setting. */
const RATES = {
  exports: { what: "exports", setting: "RATE_LIMIT_EXPORTS_PER_MINUTE" },
  imports: { what: "imports and import previews", setting: "RATE_LIMIT_IMPORTS_PER_MINUTE" },
  jobs: { what: "judge and generation jobs", setting: "RATE_LIMIT_JOBS_PER_MINUTE" },
  queues: { what: "new queues", setting: "RATE_LIMIT_QUEUES_PER_MINUTE" },
  llmTest: { what: "LLM connection tests", setting: "RATE_LIMIT_LLM_TEST_PER_MINUTE" },
} as const satisfies Record<string, { what: string; setting: keyof Env }>;
export type RateLimitName = keyof typeof RATES;

interface Store {
  rates: RateLimiter;
  exports: ConcurrencyLimiter;
}

// On globalThis: route handlers and server actions may be bundled apart, and dev reloads modules; one count.
const g = globalThis as unknown as { __abstainLimits?: Store };
const store = (): Store => (g.__abstainLimits ??= { rates: new RateLimiter(() => Date.now()), exports: new ConcurrencyLimiter() });

/**
 * Counts one request of `userId` against the named limit. Null when it may go on; otherwise the refusal, an
 * AppError too_many_requests that says what was limited, the limit and when to retry, with
 * details.retryAfterSeconds, which apiRoute (lib/auth/session.ts) sends as Retry-After.
 */
export function checkRate(name: RateLimitName, userId: string): AppError | null {
  const { what, setting } = RATES[name];
  const max = env()[setting];
  const d = store().rates.take(`${name}:${userId}`, { max, windowMs: MINUTE });
  if (d.ok) return null;
  const seconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
  return new AppError("too_many_requests", `Too many ${what}: at most ${max} a minute. Try again in ${seconds} s.`, { retryAfterSeconds: seconds });
}

/**
 * Admission of one export: a streaming slot of the user's (RATE_LIMIT_EXPORTS_CONCURRENT) and the export rate.
 * The slot is checked first, so a request refused for it does not count against the rate. The caller must call
 * `release` when the download ends, fails or is cancelled.
 */
export function admitExport(userId: string): { ok: true; release: () => void } | { ok: false; error: AppError } {
  const max = env().RATE_LIMIT_EXPORTS_CONCURRENT;
  const release = store().exports.acquire(userId, max);
  if (!release) {
    // No Retry-After: when a running export ends depends on how fast its client reads.
    const message = `Too many exports at once: at most ${max} at a time. Try again when one of yours has finished.`;
    return { ok: false, error: new AppError("too_many_requests", message) };
  }
  const refused = checkRate("exports", userId);
  if (refused) {
    release();
    return { ok: false, error: refused };
  }
  return { ok: true, release };
}
