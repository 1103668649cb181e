import { describe, expect, it } from "vitest";
import { admit, ConcurrencyLimiter, RateLimiter } from "./limiter";

const rule = { max: 3, windowMs: 60_000 };

describe("admit (sliding window)", () => {
  it("allows max requests in a window and names the exact wait for the next", () => {
    let hits: number[] = [];
    for (const t of [0, 10_000, 20_000]) {
      const d = admit(hits, t, rule);
      expect(d.ok).toBe(true);
      hits = d.hits;
    }
    expect(admit(hits, 37_000, rule)).toEqual({ ok: false, hits: [0, 10_000, 20_000], retryAfterMs: 23_000 });
    // At 60 s the first request has left the window (it is kept only while t > now - window).
    expect(admit(hits, 59_999, rule).ok).toBe(false);
    expect(admit(hits, 60_000, rule)).toEqual({ ok: true, hits: [10_000, 20_000, 60_000] });
  });

  it("never allows more than max within any window, whatever the spacing", () => {
    let hits: number[] = [];
    const allowed: number[] = [];
    for (let t = 0; t < 300_000; t += 7_000) {
      const d = admit(hits, t, rule);
      hits = d.hits;
      if (d.ok) allowed.push(t);
    }
    for (const t of allowed) expect(allowed.filter((u) => u >= t && u < t + rule.windowMs).length).toBeLessThanOrEqual(3);
    expect(allowed.length).toBeGreaterThan(12); // and it is not stuck: about 3 per minute over 5 minutes
  });

  it("does not record refused requests, so retrying does not push the wait out", () => {
    const hits = [0, 1_000, 2_000];
    const a = admit(hits, 30_000, rule);
    const b = admit(a.hits, 40_000, rule);
    expect([a.ok, b.ok]).toEqual([false, false]);
    expect(b).toMatchObject({ hits, retryAfterMs: 20_000 });
  });

  it("after a refusal, the next allowed slot comes when the oldest kept request leaves, not a whole window later", () => {
    const d = admit([0, 50_000, 55_000], 56_000, rule);
    expect(d).toMatchObject({ ok: false, retryAfterMs: 4_000 });
  });

  it("max 0 is no limit and keeps nothing", () => {
    expect(admit([], 0, { max: 0, windowMs: 60_000 })).toEqual({ ok: true, hits: [] });
  });
});

describe("RateLimiter", () => {
  it("counts per key on the injected clock and forgets a key whose window emptied", () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(() => now);
    expect([1, 2, 3].map(() => limiter.take("a", rule).ok)).toEqual([true, true, true]);
    expect(limiter.take("a", rule)).toEqual({ ok: false, retryAfterMs: 60_000 });
    expect(limiter.take("b", rule).ok).toBe(true); // another user is not affected
    now += 60_000;
    expect(limiter.take("a", rule).ok).toBe(true);
    const keys = (limiter as unknown as { hits: Map<string, number[]> }).hits;
    expect(keys.get("a")).toEqual([now]);
    expect(new RateLimiter(() => 0).take("x", { max: 0, windowMs: 1 }).ok).toBe(true);
  });
});

describe("ConcurrencyLimiter", () => {
  it("holds at most max slots per key; a release frees one, and releasing twice frees only one", () => {
    const c = new ConcurrencyLimiter();
    const r1 = c.acquire("u", 2)!;
    const r2 = c.acquire("u", 2)!;
    expect(c.acquire("u", 2)).toBeNull();
    expect(c.acquire("v", 2)).not.toBeNull();
    r1();
    r1();
    const r3 = c.acquire("u", 2);
    expect(r3).not.toBeNull();
    expect(c.acquire("u", 2)).toBeNull(); // r2 and r3 are held: the double release did not free a second slot
    r2();
    r3!();
    expect(c.acquire("u", 0)).not.toBeNull(); // 0: no limit
  });
});
