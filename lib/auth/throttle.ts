// Slowing down password guessing. After FREE_FAILURES failed sign-ins for one e-mail address, each
// further attempt must wait a delay that doubles per failure (1 s, 2 s, 4 s, …, at most 15 min). A
// success clears the count; failures older than RESET_AFTER_MS are forgotten. Pure: no clock, no I/O.

export const FREE_FAILURES = 3;
export const MAX_DELAY_MS = 15 * 60_000;
export const RESET_AFTER_MS = 60 * 60_000;

export interface ThrottleState {
  failures: number;
  lastFailureAt: Date;
}

/** How long (ms) a sign-in for this address must still wait; 0 means it may try now. */
export function retryAfterMs(state: ThrottleState | null, now: Date): number {
  if (!state) return 0;
  const since = now.getTime() - state.lastFailureAt.getTime();
  if (since >= RESET_AFTER_MS) return 0;
  const delay = delayFor(state.failures);
  return Math.max(0, delay - since);
}

export function delayFor(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - FREE_FAILURES));
}

/** The state after one more failure. */
export function afterFailure(state: ThrottleState | null, now: Date): ThrottleState {
  const stale = !state || now.getTime() - state.lastFailureAt.getTime() >= RESET_AFTER_MS;
  return { failures: stale ? 1 : state.failures + 1, lastFailureAt: now };
}
