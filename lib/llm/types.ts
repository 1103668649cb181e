// The contract between the OpenAI-compatible client (lib/llm/client.ts), the LLM judge
// (lib/judges/llm.ts), response generation and the job handlers (lib/jobs). Client-safe: no I/O.

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Overrides the endpoint's default model. */
  model?: string;
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface ChatResult {
  /** The first choice's message content. */
  content: string;
  /** The model that answered, as the endpoint reports it. */
  model: string;
  /** Attempts made (1 = no retry). */
  attempts: number;
}

/** One OpenAI-compatible chat-completions endpoint with its concurrency limit, retries and timeout. */
export interface ChatClient {
  complete(req: ChatRequest): Promise<ChatResult>;
}

/** Where and how to call an endpoint. `apiKey` never leaves the server and is never logged. */
export interface LlmEndpointConfig {
  baseUrl: string; // e.g. https://api.openai.com/v1 (…/chat/completions is appended)
  model: string;
  apiKey?: string;
  concurrency: number; // requests in flight at most
  timeoutMs: number; // per request
  maxRetries: number; // on 429, 5xx, timeouts and network errors
}
