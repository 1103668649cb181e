// The LLM endpoint of judge and generation jobs: the admin's settings over the LLM_* environment variables
// (lib/settings/llm.ts), read when a job starts, so a changed endpoint applies to the next job without a restart.
// One client per distinct endpoint configuration in the process: jobs that run at once on the same endpoint share
// its concurrency limit instead of each opening its own.
import type { DbTx } from "../db";
import { createChatClient } from "../llm/client";
import type { ChatClient, LlmEndpointConfig } from "../llm/types";
import { resolveLlmConfig } from "../settings/llm";

const clients = new Map<string, ChatClient>();

export function llmFromSettings(db: DbTx): () => Promise<{ client: ChatClient; config: LlmEndpointConfig }> {
  return async () => {
    const config = await resolveLlmConfig(db);
    const key = JSON.stringify([config.baseUrl, config.model, config.apiKey ?? "", config.concurrency, config.timeoutMs, config.maxRetries]);
    let client = clients.get(key);
    if (!client) {
      client = createChatClient(config);
      clients.set(key, client);
    }
    return { client, config };
  };
}
