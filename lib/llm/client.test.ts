// The chat client against the fake OpenAI-compatible server over real HTTP: retries, Retry-After, timeouts,
// the concurrency limit, errors that name the status, and a key that never reaches logs or messages.
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createChatClient, endpointLabel, LlmError, LlmHttpError, retryAfterMs, Semaphore, type ChatClientOptions } from "./client";
import { startFakeLlm, type FakeLlm } from "./fake-server";
import type { LlmEndpointConfig } from "./types";

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(async () => fake?.close());
afterEach(() => {
  fake.setScript([]);
  fake.requests.length = 0;
});

const KEY = "sk-test-SECRET-4242-do-not-leak";

function config(over: Partial<LlmEndpointConfig> = {}): LlmEndpointConfig {
  return { baseUrl: fake.url, model: "judge-model", apiKey: KEY, concurrency: 4, timeoutMs: 5000, maxRetries: 3, ...over };
}

/** A client whose waits are recorded instead of slept, and whose log lines are captured. */
function harness(over: Partial<LlmEndpointConfig> = {}, opts: ChatClientOptions = {}) {
  const sleeps: number[] = [];
  const lines: string[] = [];
  const log = pino({ level: "trace" }, { write: (s: string) => void lines.push(s) });
  const client = createChatClient(config(over), {
    sleep: async (ms) => void sleeps.push(ms),
    log,
    random: () => 0.5,
    ...opts,
  });
  return { client, sleeps, lines };
}

const ask = { messages: [{ role: "user" as const, content: "Hello?" }] };

describe("createChatClient", () => {
  it("posts an OpenAI chat completion with the Bearer key and returns the first choice", async () => {
    fake.setScript([{ kind: "text", content: "Hi there.", model: "judge-model-2024" }]);
    const { client } = harness();
    const res = await client.complete({ ...ask, temperature: 0, maxTokens: 256 });
    expect(res).toEqual({ content: "Hi there.", model: "judge-model-2024", attempts: 1 });
    const [r] = fake.requests;
    expect(r.path).toBe("/v1/chat/completions");
    expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(r.body).toEqual({ model: "judge-model", messages: ask.messages, temperature: 0, max_tokens: 256 });
  });

  it("uses the request's model over the endpoint's default and sends no Authorization header without a key", async () => {
    fake.setScript([{ kind: "text", content: "ok" }]);
    const { client } = harness({ apiKey: undefined, baseUrl: `${fake.url}/` });
    await client.complete({ ...ask, model: "model-under-test" });
    expect(fake.requests[0].body?.model).toBe("model-under-test");
    expect(fake.requests[0].headers.authorization).toBeUndefined();
    expect(fake.requests[0].path).toBe("/v1/chat/completions"); // no double slash from the trailing one
  });

  it("retries a 429 after the server's Retry-After, then succeeds", async () => {
    fake.setScript([
      { kind: "status", status: 429, retryAfter: 2, message: "Rate limit reached" },
      { kind: "text", content: "after the wait" },
    ]);
    const { client, sleeps } = harness();
    const res = await client.complete(ask);
    expect(res.content).toBe("after the wait");
    expect(res.attempts).toBe(2);
    expect(sleeps).toEqual([2000]);
    expect(fake.requests).toHaveLength(2);
  });

  it("caps a long Retry-After", async () => {
    fake.setScript([{ kind: "status", status: 429, retryAfter: 3600 }, { kind: "text", content: "ok" }]);
    const { client, sleeps } = harness();
    await client.complete(ask);
    expect(sleeps).toEqual([30_000]);
  });

  it("backs off exponentially with jitter on 5xx and gives up after maxRetries with the status in the error", async () => {
    fake.setScript(Array.from({ length: 4 }, () => ({ kind: "status" as const, status: 503, message: "overloaded" })));
    const { client, sleeps } = harness({ maxRetries: 3 }, { random: () => 0.5 });
    const err = await client.complete(ask).catch((e) => e);
    expect(err).toBeInstanceOf(LlmHttpError);
    expect(err.status).toBe(503);
    expect(err.retryable).toBe(true);
    expect(err.attempts).toBe(4);
    expect(err.message).toContain("HTTP 503");
    expect(err.message).toContain("overloaded");
    expect(fake.requests).toHaveLength(4);
    // base 500 ms doubling, times (0.5 + 0.5) jitter
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it("spreads retries with jitter between 50% and 150% of the backoff", async () => {
    fake.setScript([{ kind: "status", status: 500 }, { kind: "status", status: 500 }, { kind: "text", content: "ok" }]);
    const low = harness({}, { random: () => 0 });
    await low.client.complete(ask);
    fake.setScript([{ kind: "status", status: 500 }, { kind: "status", status: 500 }, { kind: "text", content: "ok" }]);
    const high = harness({}, { random: () => 0.999 });
    await high.client.complete(ask);
    expect(low.sleeps).toEqual([250, 500]);
    expect(high.sleeps).toEqual([750, 1499]);
  });

  it("does not retry other 4xx and names the status and the endpoint's message", async () => {
    fake.setScript([{ kind: "status", status: 400, message: "max_tokens is too large: 99999" }]);
    const { client, sleeps } = harness();
    const err = await client.complete(ask).catch((e) => e);
    expect(err).toBeInstanceOf(LlmHttpError);
    expect(err.retryable).toBe(false);
    expect(err.attempts).toBe(1);
    expect(err.message).toBe(`${endpointLabel(fake.url)} answered HTTP 400: max_tokens is too large: 99999`);
    expect(sleeps).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it("times out a request that hangs, retries it, and reports a timeout when every attempt hangs", async () => {
    fake.setScript([{ kind: "hang" }, { kind: "text", content: "second try" }]);
    const first = harness({ timeoutMs: 300, maxRetries: 2 });
    const ok = await first.client.complete(ask);
    expect(ok).toMatchObject({ content: "second try", attempts: 2 });

    fake.requests.length = 0;
    fake.setScript([{ kind: "hang" }, { kind: "hang" }]);
    const second = harness({ timeoutMs: 300, maxRetries: 1 });
    const err = await second.client.complete(ask).catch((e) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err.kind).toBe("timeout");
    expect(err.attempts).toBe(2);
    expect(err.message).toContain("did not answer within 300 ms");
    expect(fake.requests).toHaveLength(2);
  });

  it("stops at once, without retrying, when the caller aborts", async () => {
    fake.setScript([{ kind: "hang" }]);
    const { client } = harness({ timeoutMs: 10_000 });
    const ctrl = new AbortController();
    const p = client.complete({ ...ask, signal: ctrl.signal }).catch((e) => e);
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    ctrl.abort(new Error("job cancelled"));
    const err = await p;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe("job cancelled");
    expect(err).not.toBeInstanceOf(LlmError);
    expect(fake.requests).toHaveLength(1);
  });

  it("retries a network error (nothing listening) and reports it after the retries", async () => {
    const gone = await startFakeLlm();
    const url = gone.url;
    await gone.close();
    const { client, sleeps } = harness({ baseUrl: url, maxRetries: 2 });
    const err = await client.complete(ask).catch((e) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err.kind).toBe("network");
    expect(err.attempts).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it("reports a body that is not JSON without retrying it", async () => {
    fake.setScript([{ kind: "garbage", body: "<html>502 Bad Gateway</html>" }]);
    const { client } = harness();
    const err = await client.complete(ask).catch((e) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err.kind).toBe("bad_response");
    expect(err.message).toContain("not JSON");
    expect(fake.requests).toHaveLength(1);
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    // Each request is held until a fourth is in flight (which a correct client never allows) or 250 ms have
    // passed, so the server sees every request the client lets through at once: a client that allows more than
    // three shows four, and one that allows fewer never reaches three.
    const gated = await startFakeLlm({
      handler: async (_req, server) => {
        for (let i = 0; i < 50 && server.inFlight() <= 3; i++) await new Promise((r) => setTimeout(r, 5));
        return { kind: "text", content: "ok" };
      },
    });
    try {
      const { client } = harness({ baseUrl: gated.url, concurrency: 3 });
      const results = await Promise.all(Array.from({ length: 10 }, () => client.complete(ask)));
      expect(results.map((r) => r.content)).toEqual(Array(10).fill("ok"));
      expect(gated.requests).toHaveLength(10);
      expect(gated.maxInFlight()).toBe(3);
    } finally {
      await gated.close();
    }
  });

  it("never puts the API key in log lines or error messages, even when the endpoint echoes it", async () => {
    const guarded = await startFakeLlm({ apiKey: "the-right-key" });
    try {
      const { client, lines } = harness({ baseUrl: guarded.url });
      const err = await client.complete(ask).catch((e) => e);
      expect(err).toBeInstanceOf(LlmHttpError);
      expect(err.status).toBe(401);
      expect(guarded.requests[0].headers.authorization).toBe(`Bearer ${KEY}`); // it was sent…
      expect(err.message).toContain("Incorrect API key provided: [redacted]"); // …and cut out of the echo
      expect(err.message).not.toContain(KEY);

      // Retries and failures are logged; none of it carries the key or the Authorization header.
      fake.setScript([{ kind: "status", status: 500 }, { kind: "status", status: 429, retryAfter: 1 }, { kind: "text", content: "ok" }]);
      const h = harness();
      await h.client.complete(ask);
      const all = [...lines, ...h.lines];
      expect(all.length).toBeGreaterThanOrEqual(4);
      expect(all.some((l) => l.includes("llm request failed") && l.includes('"status":401'))).toBe(true);
      expect(all.some((l) => l.includes("llm request retrying") && l.includes('"status":429'))).toBe(true);
      for (const l of all) {
        expect(l).not.toContain(KEY);
        expect(l.toLowerCase()).not.toContain("authorization");
        expect(l).not.toContain("Bearer");
      }
    } finally {
      await guarded.close();
    }
  });

  it("leaves credentials in the base URL out of messages", async () => {
    expect(endpointLabel("https://user:pw@llm.example.org/v1/?token=abc")).toBe("https://llm.example.org/v1");
  });
});

describe("retryAfterMs", () => {
  it("reads seconds and HTTP dates", () => {
    expect(retryAfterMs("7")).toBe(7000);
    expect(retryAfterMs("1.5")).toBe(1500);
    expect(retryAfterMs("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(10_000);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe("Semaphore", () => {
  it("hands slots out in order and lets an aborted waiter leave the queue", async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const order: string[] = [];
    const ctrl = new AbortController();
    const a = s.acquire(ctrl.signal).then(() => order.push("a"), () => order.push("a aborted"));
    const b = s.acquire().then(() => order.push("b"));
    ctrl.abort();
    await a;
    s.release();
    await b;
    expect(order).toEqual(["a aborted", "b"]);
    expect(s.inUse).toBe(1);
    s.release();
    expect(s.inUse).toBe(0);
  });
});
