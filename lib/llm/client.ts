// An OpenAI-compatible chat-completions client (implements ChatClient of ./types): POST {baseUrl}/chat/completions
// with at most `concurrency` requests in flight, a per-request timeout, and retries with exponential backoff and
// jitter on 429, 5xx, timeouts and network errors. Other 4xx are not retried.
//
// The API key goes into the Authorization header and nowhere else: it is never logged, and it is cut out of
// every error message (some endpoints echo the key they were given back in their 401 text).
import type { Logger } from "pino";
import { log as defaultLog } from "../log";
import type { ChatClient, ChatRequest, ChatResult, LlmEndpointConfig } from "./types";

/** Base of the exponential backoff (attempt 1 waits ~this long, attempt 2 twice as long, …). */
export const BACKOFF_BASE_MS = 500;
/** No single wait is longer than this, whatever the backoff or the server's Retry-After says. */
export const BACKOFF_CAP_MS = 30_000;
/** Longest error text from an endpoint that is kept in an error message. */
const MAX_ERROR_TEXT = 300;

export type LlmErrorKind = "http" | "timeout" | "network" | "bad_response";

/** A failed call. `attempts` is filled in when the client gives up (1 = no retry). */
export class LlmError extends Error {
  attempts = 1;
  constructor(
    readonly kind: LlmErrorKind,
    readonly retryable: boolean,
    message: string,
    readonly endpoint: string,
  ) {
    super(message);
    this.name = "LlmError";
  }
}

/** The endpoint answered with a non-2xx status. `retryAfterMs` comes from its Retry-After header, when sent. */
export class LlmHttpError extends LlmError {
  constructor(
    readonly status: number,
    message: string,
    endpoint: string,
    readonly retryAfterMs?: number,
  ) {
    super("http", status === 429 || status >= 500, message, endpoint);
    this.name = "LlmHttpError";
  }
}

export type LlmLogger = Pick<Logger, "debug" | "info" | "warn">;

export interface ChatClientOptions {
  fetch?: typeof fetch;
  /** How to wait between attempts (tests pass one that records the delay and returns at once). */
  sleep?: (ms: number) => Promise<void>;
  log?: LlmLogger;
  /** 0 ≤ x < 1, for the jitter. */
  random?: () => number;
}

export function createChatClient(config: LlmEndpointConfig, opts: ChatClientOptions = {}): ChatClient {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const logger = opts.log ?? defaultLog;
  const random = opts.random ?? Math.random;
  const url = `${config.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const endpoint = endpointLabel(config.baseUrl);
  const slots = new Semaphore(Math.max(1, Math.floor(config.concurrency)));
  const maxAttempts = Math.max(0, Math.floor(config.maxRetries)) + 1;
  const scrub = (text: string) => (config.apiKey ? text.split(config.apiKey).join("[redacted]") : text);

  async function attempt(req: ChatRequest, model: string): Promise<{ content: string; model: string }> {
    const timeout = AbortSignal.timeout(config.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
    const body: Record<string, unknown> = { model, messages: req.messages };
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
    try {
      const res = await doFetch(url, { method: "POST", headers, body: JSON.stringify(body), signal });
      const text = await res.text();
      if (!res.ok) {
        const detail = scrub(errorText(text)) || res.statusText || "no error message";
        throw new LlmHttpError(res.status, `${endpoint} answered HTTP ${res.status}: ${detail}`, endpoint, retryAfterMs(res.headers.get("retry-after")));
      }
      return parseCompletion(text, model, endpoint, scrub);
    } catch (err) {
      if (err instanceof LlmError) throw err;
      // The caller's own abort wins: it is not a failure of the endpoint and is never retried.
      if (req.signal?.aborted) throw req.signal.reason ?? err;
      if (timeout.aborted) {
        throw new LlmError("timeout", true, `${endpoint} did not answer within ${config.timeoutMs} ms`, endpoint);
      }
      const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new LlmError("network", true, `could not reach ${endpoint}: ${scrub(cause)}`, endpoint);
    }
  }

  return {
    async complete(req: ChatRequest): Promise<ChatResult> {
      const model = req.model ?? config.model;
      for (let n = 1; ; n++) {
        await slots.acquire(req.signal);
        let result: { content: string; model: string };
        try {
          result = await attempt(req, model);
        } catch (err) {
          if (!(err instanceof LlmError)) throw err; // the caller aborted
          err.attempts = n;
          if (!err.retryable || n >= maxAttempts) {
            logger.warn({ endpoint, model, kind: err.kind, status: statusOf(err), attempts: n, error: err.message }, "llm request failed");
            throw err;
          }
          const backoff = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (n - 1));
          // Retry-After is the server's own estimate, so it replaces the backoff (capped); otherwise full backoff
          // with ±50% jitter so that parallel requests that failed together do not come back together.
          const serverWait = err instanceof LlmHttpError ? err.retryAfterMs : undefined;
          const delayMs = Math.round(serverWait !== undefined ? Math.min(BACKOFF_CAP_MS, serverWait) : backoff * (0.5 + random()));
          logger.info({ endpoint, model, kind: err.kind, status: statusOf(err), attempt: n, delayMs }, "llm request retrying");
          // The slot stays taken while waiting: the endpoint is saturated or failing, and letting queued requests
          // in now would only meet the same 429 / 5xx.
          await sleepUnlessAborted(sleep, delayMs, req.signal);
          continue;
        } finally {
          slots.release();
        }
        logger.debug({ endpoint, model: result.model, attempts: n }, "llm request done");
        return { ...result, attempts: n };
      }
    },
  };
}

/** The endpoint as it may appear in logs and errors: origin and path, never credentials or a query string. */
export function endpointLabel(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return "the LLM endpoint";
  }
}

function statusOf(err: LlmError): number | undefined {
  return err instanceof LlmHttpError ? err.status : undefined;
}

/** Retry-After in seconds, or as an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** OpenAI-style `{ error: { message } }`, `{ error: "…" }`, `{ message }`, or the start of the text. */
function errorText(text: string): string {
  let msg = text;
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof j.error === "string") msg = j.error;
    else if (j.error && typeof j.error.message === "string") msg = j.error.message;
    else if (typeof j.message === "string") msg = j.message;
  } catch {
    /* not JSON: keep the text */
  }
  msg = msg.replace(/\s+/g, " ").trim();
  return msg.length > MAX_ERROR_TEXT ? `${msg.slice(0, MAX_ERROR_TEXT - 1)}…` : msg;
}

function parseCompletion(text: string, model: string, endpoint: string, scrub: (s: string) => string): { content: string; model: string } {
  let j: { model?: unknown; choices?: { message?: { content?: unknown } }[] };
  try {
    j = JSON.parse(text);
  } catch {
    const start = scrub(text.replace(/\s+/g, " ").trim().slice(0, 80));
    throw new LlmError("bad_response", false, `${endpoint} answered with something that is not JSON: "${start}"`, endpoint);
  }
  const choice = Array.isArray(j?.choices) ? j.choices[0] : undefined;
  if (!choice || typeof choice !== "object") {
    throw new LlmError("bad_response", false, `${endpoint} answered without any choices (not a chat completion?)`, endpoint);
  }
  // content may be null (e.g. a model that answered nothing): an empty response is still a response.
  const content = typeof choice.message?.content === "string" ? choice.message.content : "";
  return { content, model: typeof j.model === "string" && j.model ? j.model : model };
}

async function sleepUnlessAborted(sleep: (ms: number) => Promise<void>, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return sleep(ms);
  signal.throwIfAborted();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** A counting semaphore: FIFO waiters, and a waiter whose signal aborts leaves the queue. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(); // the slot is handed over by release(): `active` does not change
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
