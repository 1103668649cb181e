import { describe, expect, it } from "vitest";
import { formatDuration, jobRate, percentDone } from "./eta";

const t0 = new Date("2026-01-01T00:00:00Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);

describe("jobRate", () => {
  it("measures the rate over the current attempt and divides what is left by it", () => {
    // 1,000 done when this attempt began, 3,000 done 10 s later: 200 items/s; 7,000 left → 35 s.
    const r = jobRate({ status: "running", total: 10_000, done: 3_000, attemptStartedAt: t0, attemptStartDone: 1_000, now: at(10) });
    expect(r.rate).toBe(200);
    expect(r.etaSeconds).toBe(35);
  });

  it("rounds the time left up", () => {
    const r = jobRate({ status: "running", total: 100, done: 30, attemptStartedAt: t0, attemptStartDone: 0, now: at(20) });
    expect(r.rate).toBe(1.5);
    expect(r.etaSeconds).toBe(47); // 70 / 1.5 = 46.7
  });

  it("has no rate before progress, in the first second, or when the job is not running", () => {
    expect(jobRate({ status: "running", total: 10, done: 0, attemptStartedAt: t0, attemptStartDone: 0, now: at(30) })).toEqual({ rate: null, etaSeconds: null });
    expect(jobRate({ status: "running", total: 10, done: 5, attemptStartedAt: t0, attemptStartDone: 0, now: at(0.5) })).toEqual({ rate: null, etaSeconds: null });
    expect(jobRate({ status: "queued", total: 10, done: 5, attemptStartedAt: t0, attemptStartDone: 0, now: at(5) })).toEqual({ rate: null, etaSeconds: null });
    expect(jobRate({ status: "succeeded", total: 10, done: 10, attemptStartedAt: t0, attemptStartDone: 0, now: at(5) })).toEqual({ rate: null, etaSeconds: null });
  });

  it("gives a rate but no ETA while the total is unknown", () => {
    expect(jobRate({ status: "running", total: 0, done: 50, attemptStartedAt: t0, attemptStartDone: 0, now: at(5) })).toEqual({ rate: 10, etaSeconds: null });
  });

  it("lets the ETA grow while a job stalls", () => {
    const before = jobRate({ status: "running", total: 100, done: 50, attemptStartedAt: t0, attemptStartDone: 0, now: at(10) });
    const stalled = jobRate({ status: "running", total: 100, done: 50, attemptStartedAt: t0, attemptStartDone: 0, now: at(40) });
    expect(stalled.etaSeconds!).toBeGreaterThan(before.etaSeconds!);
  });
});

describe("formatDuration / percentDone", () => {
  it("formats seconds, minutes and hours", () => {
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(200)).toBe("3 min 20 s");
    expect(formatDuration(7500)).toBe("2 h 05 min");
  });
  it("gives whole percents, capped at 100, and null without a total", () => {
    expect(percentDone(1, 3)).toBe(33);
    expect(percentDone(5, 4)).toBe(100);
    expect(percentDone(3, 0)).toBeNull();
  });
});
