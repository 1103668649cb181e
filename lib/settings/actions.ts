"use server";
// Server actions of the settings page. Each checks the caller's role on the server.
import { requireAction } from "../auth/session";
import { getDb } from "../db";
import { errorBody, httpStatus } from "../errors";
import { checkRate } from "../limits/limits";
import { createChatClient, LlmError } from "../llm/client";
import { log } from "../log";
import { resolveLlmConfig } from "./llm";

export type TestConnectionResult = { ok: true; model: string; reply: string } | { ok: false; error: string };

/** Sends one short chat request to the configured endpoint (no retries) and reports what came back. */
export async function testLlmConnectionAction(): Promise<TestConnectionResult> {
  try {
    const user = await requireAction("/admin/settings");
    const refused = checkRate("llmTest", user.id);
    if (refused) throw refused;
    const config = await resolveLlmConfig(await getDb());
    const client = createChatClient({ ...config, maxRetries: 0, timeoutMs: Math.min(config.timeoutMs, 30_000) });
    const res = await client.complete({ messages: [{ role: "user", content: "Reply with the single word OK." }], maxTokens: 5, temperature: 0 });
    const reply = res.content.replace(/\s+/g, " ").trim();
    return { ok: true, model: res.model, reply: reply.length > 100 ? `${reply.slice(0, 99)}…` : reply };
  } catch (err) {
    // LlmError messages name the endpoint and its error text, with the key cut out (lib/llm/client.ts).
    if (err instanceof LlmError) return { ok: false, error: err.message };
    // Otherwise worded as API routes word it (lib/errors.ts): the AppError's message, the outage message, or "logged".
    if (httpStatus(err) === 500) log.error({ err }, "LLM connection test failed");
    return { ok: false, error: errorBody(err).error.message };
  }
}
