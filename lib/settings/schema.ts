// Admin settings input schemas and the shape the browser sees. Client-safe: zod only.
import { z } from "zod";
import { tooLong } from "../limits/text";

export const LLM_SETTING_KEY = "llm.endpoint";

export const LLM_LIMITS = {
  concurrency: { min: 1, max: 64 },
  timeoutMs: { min: 1000, max: 600_000 },
  maxRetries: { min: 0, max: 10 },
} as const;

const int = (field: string, { min, max }: { min: number; max: number }) =>
  z
    .number({ message: `${field} must be a number` })
    .int(`${field} must be a whole number`)
    .min(min, `${field} must be at least ${min}`)
    .max(max, `${field} must be at most ${max}`);

const baseUrl = z
  .string()
  .trim()
  .max(500, tooLong(500))
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
    message: "baseUrl must be an http(s):// URL such as https://api.openai.com/v1",
  });

/**
 * A change to the LLM endpoint settings. Each field: absent = leave as it is, null = remove the override (the
 * environment's value applies again), a value = override. `apiKey` is write-only: null or "" removes the stored key.
 */
export const llmSettingsUpdateSchema = z
  .object({
    baseUrl: baseUrl.nullable().optional(),
    model: z.string().trim().min(1, "model must not be empty (use null to remove it)").max(200, tooLong(200)).nullable().optional(),
    apiKey: z.string().trim().max(1000, tooLong(1000)).nullable().optional(),
    concurrency: int("concurrency", LLM_LIMITS.concurrency).nullable().optional(),
    timeoutMs: int("timeoutMs", LLM_LIMITS.timeoutMs).nullable().optional(),
    maxRetries: int("maxRetries", LLM_LIMITS.maxRetries).nullable().optional(),
  })
  .strict();
export type LlmSettingsUpdate = z.infer<typeof llmSettingsUpdateSchema>;

/** What is stored in Setting("llm.endpoint").value: only the overridden fields. */
export const storedLlmSettingsSchema = z.object({
  baseUrl: z.string().optional(),
  model: z.string().optional(),
  apiKey: z.string().optional(),
  concurrency: z.number().int().optional(),
  timeoutMs: z.number().int().optional(),
  maxRetries: z.number().int().optional(),
});
export type StoredLlmSettings = z.infer<typeof storedLlmSettingsSchema>;

export type LlmField = "baseUrl" | "model" | "apiKey" | "concurrency" | "timeoutMs" | "maxRetries";
/** Where a value comes from: the admin's override, the environment (or its default), or nowhere. */
export type LlmFieldSource = "settings" | "env" | "unset";

/** The endpoint settings as a browser may see them: never the key, only whether one is set. */
export interface LlmSettingsForClient {
  baseUrl: string | null;
  model: string | null;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  hasApiKey: boolean;
  /** Base URL and model are known, so judge and generation jobs can run. */
  configured: boolean;
  /** "settings" when an admin overrode anything, else "env" when the environment names an endpoint, else "none". */
  source: "settings" | "env" | "none";
  sources: Record<LlmField, LlmFieldSource>;
  /** The admin's overrides alone (null = not overridden), for the form. */
  overrides: {
    baseUrl: string | null;
    model: string | null;
    concurrency: number | null;
    timeoutMs: number | null;
    maxRetries: number | null;
    hasApiKey: boolean;
  };
  updatedAt: string | null;
}
