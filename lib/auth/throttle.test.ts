import { describe, expect, it } from "vitest";
import { afterFailure, delayFor, retryAfterMs } from "./throttle";

const t0 = new Date("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("sign-in throttle", () => {
  it("lets the first three failures retry at once, then doubles the wait", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(delayFor)).toEqual([0, 0, 0, 1000, 2000, 4000, 8000]);
    expect(delayFor(30)).toBe(15 * 60_000);
  });

  it("counts consecutive failures and computes the remaining wait", () => {
    let s = afterFailure(null, t0);
    s = afterFailure(s, at(10));
    s = afterFailure(s, at(20));
    s = afterFailure(s, at(30)); // 4 failures: 2 s
    expect(s.failures).toBe(4);
    expect(retryAfterMs(s, at(30))).toBe(2000);
    expect(retryAfterMs(s, at(1530))).toBe(500);
    expect(retryAfterMs(s, at(2030))).toBe(0);
  });

  it("caps the wait at 15 minutes and forgets failures after an hour", () => {
    const s = { failures: 20, lastFailureAt: t0 };
    expect(retryAfterMs(s, at(14 * 60_000))).toBe(60_000);
    expect(retryAfterMs(s, at(15 * 60_000))).toBe(0);
    expect(afterFailure(s, at(59 * 60_000)).failures).toBe(21);
    expect(afterFailure(s, at(60 * 60_000)).failures).toBe(1);
  });
});
