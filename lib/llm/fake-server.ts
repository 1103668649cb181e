// A fake OpenAI-compatible chat-completions server over real HTTP, for tests, e2e and the demo
// (`npx tsx scripts/fake-llm.ts --port 3999`). Each request is answered by a scripted reply (consumed in order)
// or, when the script is empty, by the handler: text, an HTTP error (429 with Retry-After, 500, …), a hang
// (never answers: for timeouts), or a body that is not JSON. The default handler is "smart": it answers judge
// prompts with a rationale and a label derived from the offline heuristic judge, and anything else with a fixed
// refusal or a short answer, chosen by a hash of the prompt, so runs are reproducible.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { judgeHeuristic } from "../judges/heuristic";
import type { ChatMessage } from "./types";

export interface FakeLlmRequest {
  method: string;
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The parsed JSON body (null when it was not JSON). */
  body: { model?: string; messages?: ChatMessage[]; temperature?: number; max_tokens?: number } | null;
  messages: ChatMessage[];
  /** 1-based, in arrival order. */
  n: number;
}

export type FakeLlmReply =
  | { kind: "text"; content: string; model?: string; delayMs?: number }
  | { kind: "status"; status: number; message?: string; retryAfter?: number | string; delayMs?: number }
  | { kind: "hang" }
  | { kind: "garbage"; body?: string; status?: number };

export type FakeLlmHandler = (req: FakeLlmRequest, server: { inFlight: () => number }) => FakeLlmReply | Promise<FakeLlmReply>;

export interface FakeLlmOptions {
  port?: number; // 0 / unset: any free port
  host?: string;
  /** Replies for the first requests, in order; the handler answers the rest. */
  script?: FakeLlmReply[];
  handler?: FakeLlmHandler;
  /** When set, requests without "Authorization: Bearer <apiKey>" get a 401 that echoes the key they sent. */
  apiKey?: string;
  /** The model name reported in answers (default: the requested model, else "fake-llm"). */
  model?: string;
}

export interface FakeLlm {
  /** The base URL to configure: http://host:port/v1 */
  url: string;
  port: number;
  requests: FakeLlmRequest[];
  /** The most chat-completion requests that were in flight at once. */
  maxInFlight: () => number;
  inFlight: () => number;
  setHandler(fn: FakeLlmHandler): void;
  setScript(replies: FakeLlmReply[]): void;
  close(): Promise<void>;
}

export async function startFakeLlm(opts: FakeLlmOptions = {}): Promise<FakeLlm> {
  let handler: FakeLlmHandler = opts.handler ?? smartHandler;
  let script = [...(opts.script ?? [])];
  const requests: FakeLlmRequest[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((req, res) => {
    void serve(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, { error: { message: `fake LLM failed: ${(err as Error).message}` } });
      else res.destroy();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && /\/models\/?$/.test(path)) {
      send(res, 200, { object: "list", data: [{ id: opts.model ?? "fake-llm", object: "model", owned_by: "abstain" }] });
      return;
    }
    if (req.method !== "POST" || !/\/chat\/completions\/?$/.test(path)) {
      send(res, 404, { error: { message: `No route ${req.method} ${path} (the fake serves POST …/chat/completions)` } });
      return;
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const done = () => {
      if (counted) inFlight--;
      counted = false;
    };
    res.on("close", done);
    const text = await readBody(req);
    let body: FakeLlmRequest["body"] = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    const request: FakeLlmRequest = {
      method: req.method ?? "POST",
      path,
      headers,
      body,
      messages: Array.isArray(body?.messages) ? body.messages : [],
      n: requests.length + 1,
    };
    requests.push(request);

    if (opts.apiKey !== undefined && headers.authorization !== `Bearer ${opts.apiKey}`) {
      const sent = (headers.authorization ?? "").replace(/^Bearer\s+/i, "");
      // Real endpoints have echoed the key in this message: the client must scrub it.
      send(res, 401, { error: { message: `Incorrect API key provided: ${sent || "(none)"}.`, type: "invalid_request_error" } });
      return;
    }
    if (!body || !Array.isArray(body.messages)) {
      send(res, 400, { error: { message: "The body must be JSON with a messages array." } });
      return;
    }
    const reply = script.length ? script.shift()! : await handler(request, { inFlight: () => inFlight });
    if ("delayMs" in reply && reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    switch (reply.kind) {
      case "hang":
        return; // never answers; the client's timeout (or close()) ends the connection
      case "garbage":
        res.writeHead(reply.status ?? 200, { "content-type": "application/json" });
        res.end(reply.body ?? "<html>this is not a chat completion</html>");
        return;
      case "status": {
        const extra: Record<string, string> = {};
        if (reply.retryAfter !== undefined) extra["retry-after"] = String(reply.retryAfter);
        send(res, reply.status, { error: { message: reply.message ?? `fake error ${reply.status}`, type: "fake_error" } }, extra);
        return;
      }
      case "text": {
        const model = reply.model ?? opts.model ?? body.model ?? "fake-llm";
        send(res, 200, completion(reply.content, model, request.n));
        return;
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;

  return {
    url: `http://${host}:${addr.port}/v1`,
    port: addr.port,
    requests,
    maxInFlight: () => maxInFlight,
    inFlight: () => inFlight,
    setHandler(fn) {
      handler = fn;
    },
    setScript(replies) {
      script = [...replies];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy(); // hanging requests and keep-alive connections
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function completion(content: string, model: string, n: number) {
  return {
    id: `chatcmpl-fake-${n}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The default "smart" handler.

// The CoCoNot judge prompt (lib/judges/llm.ts): classes, then QUESTION / RESPONSE in quotes, then CLASS:.
const JUDGE_MARK = "I would like to request your feedback on the response of a large language model";
const JUDGE_QA = /QUESTION: "([\s\S]*)"\n\n\s*RESPONSE: "([\s\S]*)"\n\n\s*CLASS:\s*$/;

export const FAKE_REFUSAL =
  "I'm sorry, but I can't help with that request. If you can tell me more about what you need, I'm happy to help with something related.";

/** Answers judge prompts with the heuristic's reading of the response, everything else with a refusal or an answer. */
export const smartHandler: FakeLlmHandler = (req) => {
  const user = [...req.messages].reverse().find((m) => m.role === "user")?.content ?? "";
  if (user.includes(JUDGE_MARK)) return { kind: "text", content: judgeAnswer(user) };
  // About 60% refusals, so a generated run has something to measure; a CoCoNot system prompt adds a few more.
  const hasSystem = req.messages.some((m) => m.role === "system");
  const bucket = fnv1a(user) % 10;
  if (bucket < (hasSystem ? 7 : 6)) return { kind: "text", content: FAKE_REFUSAL };
  const topic = user.replace(/\s+/g, " ").trim().slice(0, 80);
  return { kind: "text", content: `Here is a short answer. ${topic ? `You asked: "${topic}". ` : ""}The key points are covered below in brief, with the most common approach first and a simple example to follow.` };
};

function judgeAnswer(prompt: string): string {
  const contrast = /\n\s*NONCOMPLIANCE: /.test(prompt);
  const [noncompliant, complied] = contrast ? ["NONCOMPLIANCE", "COMPLIANCE"] : ["ACCEPTABLE", "UNACCEPTABLE"];
  const qa = JUDGE_QA.exec(prompt);
  if (!qa) return "The question and response could not be found in the request.\n<label>NEITHER</label>";
  const result = judgeHeuristic({ prompt: qa[1], response: qa[2], category: "", subcategory: "" });
  const label = result.verdict === "noncompliant" ? noncompliant : result.verdict === "complied" ? complied : "NEITHER";
  return `${result.rationale}\n\n<label>${label}</label>`;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
