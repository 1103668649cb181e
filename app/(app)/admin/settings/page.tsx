import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { requirePage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { getLlmSettingsForClient } from "@/lib/settings/llm";
import { LlmSettingsForm } from "./_components/llm-settings-form";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  await requirePage("/admin/settings");
  const settings = await getLlmSettingsForClient(await getDb());
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Settings</h1>
        <p className="text-sm text-slate-600">
          The OpenAI-compatible endpoint that the LLM judge and response generation call. Values set here override the
          environment (LLM_BASE_URL, LLM_MODEL, LLM_API_KEY, LLM_CONCURRENCY, LLM_TIMEOUT_MS, LLM_MAX_RETRIES); an empty field
          falls back to it. The API key is write-only: it is never shown again, logged or sent to a browser. Every change is
          recorded in the audit log, without the key.
        </p>
      </div>
      <Card title="LLM endpoint">
        <LlmSettingsForm settings={settings} />
      </Card>
    </div>
  );
}
