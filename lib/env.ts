// The only reader of process.env. Every variable the app understands is listed and validated here
// (and documented in README.md, "Environment").
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** PostgreSQL connection string. Unset: the embedded PGlite database under PGLITE_DIR. */
  DATABASE_URL: z
    .string()
    .trim()
    .transform((v) => (v === "" ? undefined : v))
    .optional()
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      message: "DATABASE_URL must start with postgresql:// (or be unset for the embedded database)",
    }),
  /** Where the embedded database keeps its files. */
  PGLITE_DIR: z.string().default(".data/pglite"),
  /** Secret that signs session cookies. Unset on the embedded database: one is created in .data/. */
  NEXTAUTH_SECRET: z.string().min(16, "NEXTAUTH_SECRET must be at least 16 characters").optional(),
  /** The benchmark database (npm run bench:seed, npm run bench): never the app's own. */
  BENCH_DATABASE_URL: z.string().trim().default("postgresql://postgres@127.0.0.1:5432/abstain_bench"),
  /** Largest file the web upload accepts (bytes). The CLI (scripts/import.ts) has no such cap. */
  IMPORT_UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(512 * 1024 * 1024),
  /** Uploads larger than this run as a background import job instead of inside the request. */
  IMPORT_BACKGROUND_BYTES: z.coerce.number().int().positive().default(32 * 1024 * 1024),
  /** Per signed-in user and app process (lib/limits/limits.ts); 0 turns a limit off. */
  RATE_LIMIT_EXPORTS_PER_MINUTE: z.coerce.number().int().min(0).default(10),
  /** Exports one user may have streaming at the same time. */
  RATE_LIMIT_EXPORTS_CONCURRENT: z.coerce.number().int().min(0).default(2),
  /** Upload imports and import previews together. */
  RATE_LIMIT_IMPORTS_PER_MINUTE: z.coerce.number().int().min(0).default(20),
  /** Judge and generation jobs queued through POST /api/jobs (an LLM judge or generation can cost money). */
  RATE_LIMIT_JOBS_PER_MINUTE: z.coerce.number().int().min(0).default(10),
  RATE_LIMIT_QUEUES_PER_MINUTE: z.coerce.number().int().min(0).default(20),
  /** Admin → Settings "Test connection": each one is a request to the (possibly paid) LLM endpoint. */
  RATE_LIMIT_LLM_TEST_PER_MINUTE: z.coerce.number().int().min(0).default(5),
  // Under vitest only warnings and errors: the worker's progress lines would bury the test output.
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default(process.env.VITEST ? "warn" : "info"),
  /** Run background jobs inside the app process (instrumentation.ts). "0" when only `npm run worker` processes should. */
  JOBS_IN_APP: z.enum(["0", "1", "false", "true"]).default("1").transform((v) => v === "1" || v === "true"),
  /** OpenAI-compatible endpoint of the LLM judge and response generation (…/chat/completions is appended). Admin → Settings overrides these. */
  LLM_BASE_URL: z
    .string()
    .trim()
    .transform((v) => (v === "" ? undefined : v))
    .optional()
    .refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), { message: "LLM_BASE_URL must be an http(s):// URL, e.g. https://api.openai.com/v1" }),
  LLM_MODEL: z.string().trim().transform((v) => (v === "" ? undefined : v)).optional(),
  /** Sent as a Bearer token; never logged, never sent to a browser. */
  LLM_API_KEY: z.string().trim().transform((v) => (v === "" ? undefined : v)).optional(),
  LLM_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

/**
 * The session signing secret. With a real PostgreSQL (a deployment) it must be set explicitly; on the
 * embedded database (a laptop, the demo) a random one is created once and kept in .data/auth-secret,
 * so sessions survive restarts without any set-up.
 */
export function authSecret(): string {
  const e = env();
  if (e.NEXTAUTH_SECRET) return e.NEXTAUTH_SECRET;
  if (e.DATABASE_URL && e.NODE_ENV === "production") {
    throw new Error("NEXTAUTH_SECRET is required when DATABASE_URL is set (generate one: openssl rand -base64 32)");
  }
  const file = path.join(path.dirname(path.resolve(/*turbopackIgnore: true*/ e.PGLITE_DIR)), "auth-secret");
  if (existsSync(/*turbopackIgnore: true*/ file)) return readFileSync(/*turbopackIgnore: true*/ file, "utf8").trim();
  mkdirSync(/*turbopackIgnore: true*/ path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(/*turbopackIgnore: true*/ file, secret, { mode: 0o600 });
  return secret;
}
