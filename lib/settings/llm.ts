// The LLM endpoint (judge and response generation): environment variables (LLM_*), overridden field by field by
// the admin's Setting("llm.endpoint"). The API key is write-only: resolveLlmConfig hands it to the server-side
// client; nothing that goes to a browser, a log line or the audit log contains it.
//
// The key is stored sealed (AES-256-GCM under a key derived from NEXTAUTH_SECRET, lib/security/secret-box.ts),
// so a dump or backup of the database alone does not reveal it; every process that calls the endpoint (app,
// workers) needs the same NEXTAUTH_SECRET. A key stored before sealing existed is read as it is and sealed at
// the next save.
import { createAuditEntry } from "../audit/data";
import type { Db, DbTx } from "../db";
import { Prisma } from "../db";
import { authSecret, env, type Env } from "../env";
import { AppError } from "../errors";
import { log } from "../log";
import type { LlmEndpointConfig } from "../llm/types";
import { isSealed, seal, unseal, UnsealError } from "../security/secret-box";
import {
  LLM_SETTING_KEY,
  llmSettingsUpdateSchema,
  storedLlmSettingsSchema,
  type LlmField,
  type LlmFieldSource,
  type LlmSettingsForClient,
  type LlmSettingsUpdate,
  type StoredLlmSettings,
} from "./schema";

export type LlmEnv = Pick<Env, "LLM_BASE_URL" | "LLM_MODEL" | "LLM_API_KEY" | "LLM_CONCURRENCY" | "LLM_TIMEOUT_MS" | "LLM_MAX_RETRIES">;

/** The admin's overrides (empty when none). A malformed stored value is ignored field by field, with a warning. */
export async function getStoredLlmSettings(db: DbTx): Promise<{ value: StoredLlmSettings; updatedAt: Date | null }> {
  const row = await db.setting.findUnique({ where: { key: LLM_SETTING_KEY }, select: { value: true, updatedAt: true } });
  if (!row) return { value: {}, updatedAt: null };
  const parsed = storedLlmSettingsSchema.safeParse(row.value);
  if (parsed.success) return { value: parsed.data, updatedAt: row.updatedAt };
  log.warn({ key: LLM_SETTING_KEY, issues: parsed.error.issues.map((i) => i.path.join(".")) }, "ignoring malformed LLM settings fields");
  const value: Record<string, unknown> = {};
  const raw = (row.value ?? {}) as Record<string, unknown>;
  for (const [k, field] of Object.entries(storedLlmSettingsSchema.shape)) {
    const ok = field.safeParse(raw[k]);
    if (ok.success && ok.data !== undefined) value[k] = ok.data;
  }
  return { value: value as StoredLlmSettings, updatedAt: row.updatedAt };
}

interface Merged {
  config: Omit<LlmEndpointConfig, "baseUrl" | "model"> & { baseUrl?: string; model?: string };
  sources: Record<LlmField, LlmFieldSource>;
}

function merge(stored: StoredLlmSettings, e: LlmEnv): Merged {
  const pick = <T>(s: T | undefined, v: T | undefined): [T | undefined, LlmFieldSource] =>
    s !== undefined ? [s, "settings"] : v !== undefined ? [v, "env"] : [undefined, "unset"];
  const [baseUrl, sBase] = pick(stored.baseUrl, e.LLM_BASE_URL);
  const [model, sModel] = pick(stored.model, e.LLM_MODEL);
  const [apiKey, sKey] = pick(stored.apiKey, e.LLM_API_KEY);
  // The numeric variables always have a value (lib/env.ts defaults), so they are never "unset".
  const [concurrency, sConc] = pick(stored.concurrency, e.LLM_CONCURRENCY);
  const [timeoutMs, sTime] = pick(stored.timeoutMs, e.LLM_TIMEOUT_MS);
  const [maxRetries, sRetry] = pick(stored.maxRetries, e.LLM_MAX_RETRIES);
  return {
    config: { baseUrl, model, apiKey, concurrency: concurrency!, timeoutMs: timeoutMs!, maxRetries: maxRetries! },
    sources: { baseUrl: sBase, model: sModel, apiKey: sKey, concurrency: sConc, timeoutMs: sTime, maxRetries: sRetry },
  };
}

/** The stored key in clear, for the server-side client only. */
function openStoredKey(stored: StoredLlmSettings): StoredLlmSettings {
  if (!stored.apiKey || !isSealed(stored.apiKey)) return stored;
  try {
    return { ...stored, apiKey: unseal(stored.apiKey, authSecret()) };
  } catch (err) {
    if (err instanceof UnsealError) throw new AppError("bad_request", `The LLM API key in Admin → Settings: ${err.message}`);
    throw err;
  }
}

/** The endpoint to call, or null when no base URL or model is configured. Server-side only: holds the key. */
export async function getLlmConfig(db: DbTx, e: LlmEnv = env()): Promise<LlmEndpointConfig | null> {
  const { config } = merge(openStoredKey((await getStoredLlmSettings(db)).value), e);
  if (!config.baseUrl || !config.model) return null;
  return { ...config, baseUrl: config.baseUrl, model: config.model };
}

/** The endpoint to call; a clear error when none is configured. For job handlers. */
export async function resolveLlmConfig(db: DbTx, e: LlmEnv = env()): Promise<LlmEndpointConfig> {
  const config = await getLlmConfig(db, e);
  if (!config) {
    throw new AppError(
      "bad_request",
      "No LLM endpoint is configured: set LLM_BASE_URL and LLM_MODEL in the environment, or an admin sets them under Admin → Settings.",
    );
  }
  return config;
}

/** What the settings page and GET /api/settings/llm show: never the key. */
export async function getLlmSettingsForClient(db: DbTx, e: LlmEnv = env()): Promise<LlmSettingsForClient> {
  const { value, updatedAt } = await getStoredLlmSettings(db);
  const { config, sources } = merge(value, e);
  const overridden = (Object.keys(value) as (keyof StoredLlmSettings)[]).some((k) => value[k] !== undefined);
  return {
    baseUrl: config.baseUrl ?? null,
    model: config.model ?? null,
    concurrency: config.concurrency,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    hasApiKey: Boolean(config.apiKey),
    configured: Boolean(config.baseUrl && config.model),
    source: overridden ? "settings" : e.LLM_BASE_URL ? "env" : "none",
    sources,
    overrides: {
      baseUrl: value.baseUrl ?? null,
      model: value.model ?? null,
      concurrency: value.concurrency ?? null,
      timeoutMs: value.timeoutMs ?? null,
      maxRetries: value.maxRetries ?? null,
      hasApiKey: Boolean(value.apiKey),
    },
    updatedAt: updatedAt?.toISOString() ?? null,
  };
}

/** The stored settings as the audit log may record them: the key only as set / not set. */
function auditView(v: StoredLlmSettings) {
  const { apiKey, ...rest } = v;
  return { ...rest, apiKey: apiKey ? "set" : "not set" };
}

/**
 * Applies an admin's change (see llmSettingsUpdateSchema for absent / null / value) and audits it without the
 * key. Only an active admin may do this; the route checks the role too, this is the second line.
 */
export async function updateLlmSettings(db: Db, input: LlmSettingsUpdate, actorId: string, e: LlmEnv = env()): Promise<LlmSettingsForClient> {
  const change = llmSettingsUpdateSchema.parse(input);
  await db.$transaction(async (tx) => {
    await requireAdmin(tx, actorId);
    const { value: before } = await getStoredLlmSettings(tx);
    const next: Record<string, unknown> = { ...before };
    for (const [k, v] of Object.entries(change) as [keyof LlmSettingsUpdate, unknown][]) {
      if (v === undefined) continue;
      if (v === null || v === "") delete next[k];
      else next[k] = k === "apiKey" ? seal(v as string, authSecret()) : v;
    }
    const after = storedLlmSettingsSchema.parse(next);
    await tx.setting.upsert({
      where: { key: LLM_SETTING_KEY },
      create: { key: LLM_SETTING_KEY, value: after as Prisma.InputJsonValue, updatedById: actorId },
      update: { value: after as Prisma.InputJsonValue, updatedById: actorId },
    });
    const keyChange = change.apiKey === undefined ? undefined : change.apiKey ? (before.apiKey ? "replaced" : "set") : before.apiKey ? "removed" : undefined;
    await createAuditEntry(tx, {
      actorId,
      action: "settings.llm.update",
      entityType: "setting",
      entityId: LLM_SETTING_KEY,
      before: auditView(before),
      after: { ...auditView(after), ...(keyChange ? { apiKeyChange: keyChange } : {}) },
    });
  });
  return getLlmSettingsForClient(db, e);
}

async function requireAdmin(tx: DbTx, actorId: string): Promise<void> {
  const actor = await tx.user.findUnique({ where: { id: actorId }, select: { role: true, active: true } });
  if (!actor || !actor.active || actor.role !== "admin") throw new AppError("forbidden", "Only an admin may change the LLM endpoint settings.");
}
