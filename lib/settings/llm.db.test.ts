// LLM endpoint settings: environment first, admin overrides on top; the key is stored but never returned or audited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allows, ROUTES } from "../auth/access";
import { AppError } from "../errors";
import { createTestDb, type TestDb } from "../test/db";
import { createUser } from "../users/data";
import { getLlmConfig, getLlmSettingsForClient, resolveLlmConfig, updateLlmSettings, type LlmEnv } from "./llm";
import { seal } from "../security/secret-box";
import { LLM_SETTING_KEY } from "./schema";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

const unique = () => Math.random().toString(36).slice(2, 10);
const ENV: LlmEnv = {
  LLM_BASE_URL: "https://env.example.org/v1",
  LLM_MODEL: "env-model",
  LLM_API_KEY: "sk-env-KEY-0001",
  LLM_CONCURRENCY: 4,
  LLM_TIMEOUT_MS: 60_000,
  LLM_MAX_RETRIES: 4,
};
const NO_ENV: LlmEnv = { LLM_CONCURRENCY: 4, LLM_TIMEOUT_MS: 60_000, LLM_MAX_RETRIES: 4 };

async function user(role: "admin" | "researcher" | "annotator") {
  return createUser(t.db, { email: `${role}-${unique()}@example.org`, name: role, password: "a-long-password", role }, null);
}

describe("LLM settings", () => {
  // One database for the file and one Setting row: the tests run in order and each states what it starts from.
  it("comes from the environment when no admin has set anything, and says the key is set without giving it", async () => {
    expect(await getLlmConfig(t.db, ENV)).toEqual({
      baseUrl: "https://env.example.org/v1",
      model: "env-model",
      apiKey: "sk-env-KEY-0001",
      concurrency: 4,
      timeoutMs: 60_000,
      maxRetries: 4,
    });
    const view = await getLlmSettingsForClient(t.db, ENV);
    expect(view).toMatchObject({ baseUrl: "https://env.example.org/v1", model: "env-model", hasApiKey: true, source: "env", configured: true });
    expect(JSON.stringify(view)).not.toContain("sk-env-KEY-0001");
  });

  it("stores an admin's key and overrides, returns them without the key, and audits without the key", async () => {
    const admin = await user("admin");
    const KEY = `sk-admin-${unique()}-SECRET`;
    const view = await updateLlmSettings(t.db, { baseUrl: "http://127.0.0.1:3999/v1", model: "fake-llm", apiKey: KEY, concurrency: 2 }, admin.id, ENV);
    expect(view).toMatchObject({
      baseUrl: "http://127.0.0.1:3999/v1",
      model: "fake-llm",
      concurrency: 2,
      timeoutMs: 60_000,
      hasApiKey: true,
      source: "settings",
      sources: { baseUrl: "settings", model: "settings", apiKey: "settings", concurrency: "settings", timeoutMs: "env" },
      overrides: { baseUrl: "http://127.0.0.1:3999/v1", hasApiKey: true, concurrency: 2, timeoutMs: null },
    });
    expect(JSON.stringify(view)).not.toContain(KEY);
    expect(JSON.stringify(await getLlmSettingsForClient(t.db, ENV))).not.toContain(KEY);

    // Stored, and what the server-side client gets.
    const { rows } = await t.sql.query<{ value: { apiKey?: string }; updatedById: string }>(`SELECT value, "updatedById" FROM "Setting" WHERE key = $1`, [LLM_SETTING_KEY]);
    // Stored sealed: the row (and so any dump or backup) does not contain the key.
    expect(rows[0].value.apiKey).toMatch(/^sealed:v1:/);
    expect(JSON.stringify(rows[0].value)).not.toContain(KEY);
    expect(rows[0].updatedById).toBe(admin.id);
    expect((await resolveLlmConfig(t.db, ENV)).apiKey).toBe(KEY);

    const audit = await t.sql.query<{ actorId: string; before: unknown; after: unknown }>(
      `SELECT "actorId", before, after FROM "AuditLog" WHERE action = 'settings.llm.update' AND "actorId" = $1`,
      [admin.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(JSON.stringify(audit.rows)).not.toContain(KEY);
    expect(audit.rows[0].after).toMatchObject({ baseUrl: "http://127.0.0.1:3999/v1", apiKey: "set", apiKeyChange: "set" });
  });

  it("keeps the stored key when a change leaves it out, and falls back to the environment when it is removed", async () => {
    const admin = await user("admin");
    const before = (await resolveLlmConfig(t.db, ENV)).apiKey;
    await updateLlmSettings(t.db, { timeoutMs: 5000 }, admin.id, ENV);
    expect((await resolveLlmConfig(t.db, ENV)).apiKey).toBe(before);
    expect((await resolveLlmConfig(t.db, ENV)).timeoutMs).toBe(5000);

    const view = await updateLlmSettings(t.db, { apiKey: null, baseUrl: null }, admin.id, ENV);
    expect(view.sources).toMatchObject({ apiKey: "env", baseUrl: "env" });
    expect(await resolveLlmConfig(t.db, ENV)).toMatchObject({ apiKey: "sk-env-KEY-0001", baseUrl: "https://env.example.org/v1", model: "fake-llm" });
    const removed = await t.sql.query<{ after: { apiKeyChange?: string } }>(
      `SELECT after FROM "AuditLog" WHERE action = 'settings.llm.update' AND "actorId" = $1 ORDER BY "createdAt"`,
      [admin.id],
    );
    expect(removed.rows.map((r) => r.after.apiKeyChange)).toEqual([undefined, "removed"]);
  });

  it("refuses non-admins and leaves the settings as they were", async () => {
    const before = await getLlmSettingsForClient(t.db, ENV);
    for (const role of ["researcher", "annotator"] as const) {
      const u = await user(role);
      const err = await updateLlmSettings(t.db, { model: "sneaky" }, u.id, ENV).catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("forbidden");
    }
    expect(await getLlmSettingsForClient(t.db, ENV)).toEqual(before);
    const entry = ROUTES.find((r) => r.path === "/api/settings/llm")!;
    expect(["admin", "researcher", "annotator"].filter((r) => allows(entry.roles, r as never))).toEqual(["admin"]);
  });

  it("rejects invalid values with the field named", async () => {
    const admin = await user("admin");
    await expect(updateLlmSettings(t.db, { baseUrl: "ftp://x" }, admin.id, ENV)).rejects.toThrow(/baseUrl must be an http/);
    await expect(updateLlmSettings(t.db, { concurrency: 0 }, admin.id, ENV)).rejects.toThrow(/concurrency must be at least 1/);
  });

  it("says clearly when no endpoint is configured at all", async () => {
    const own = await createTestDb();
    try {
      expect(await getLlmConfig(own.db, NO_ENV)).toBeNull();
      await expect(resolveLlmConfig(own.db, NO_ENV)).rejects.toThrow(/No LLM endpoint is configured/);
      expect(await getLlmSettingsForClient(own.db, NO_ENV)).toMatchObject({ configured: false, source: "none", hasApiKey: false, baseUrl: null });
    } finally {
      await own.close();
    }
  });

  it("reads a key stored before sealing as it is, and refuses one sealed under another NEXTAUTH_SECRET with a clear error", async () => {
    const own = await createTestDb();
    try {
      const put = (apiKey: string) =>
        own.sql.query(`INSERT INTO "Setting" (key, value, "updatedAt") VALUES ($1, $2, now()) ON CONFLICT (key) DO UPDATE SET value = $2`, [
          LLM_SETTING_KEY,
          JSON.stringify({ baseUrl: "http://127.0.0.1:3999/v1", model: "m", apiKey }),
        ]);
      await put("sk-legacy-plain");
      expect((await resolveLlmConfig(own.db, NO_ENV)).apiKey).toBe("sk-legacy-plain");
      await put(seal("sk-other", "a-different-session-secret-0000"));
      const err = await resolveLlmConfig(own.db, NO_ENV).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toMatch(/LLM API key .*NEXTAUTH_SECRET/);
      expect((await getLlmSettingsForClient(own.db, NO_ENV)).hasApiKey).toBe(true);
    } finally {
      await own.close();
    }
  });
});
