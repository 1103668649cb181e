"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { testLlmConnectionAction } from "@/lib/settings/actions";
import { LLM_LIMITS, type LlmField, type LlmSettingsForClient } from "@/lib/settings/schema";

type Message = { ok: boolean; text: string } | null;

const SOURCE_TEXT = { settings: "set here", env: "from the environment", unset: "not set" } as const;

export function LlmSettingsForm({ settings }: { settings: LlmSettingsForClient }) {
  const router = useRouter();
  const [message, setMessage] = useState<Message>(null);
  const [test, setTest] = useState<Message>(null);
  const [pending, startTransition] = useTransition();
  const [testing, startTest] = useTransition();
  const o = settings.overrides;

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const str = (k: string) => String(form.get(k) ?? "").trim();
    const num = (k: string) => (str(k) === "" ? null : Number(str(k)));
    const body: Record<string, unknown> = {
      baseUrl: str("baseUrl") || null,
      model: str("model") || null,
      concurrency: num("concurrency"),
      timeoutMs: num("timeoutMs"),
      maxRetries: num("maxRetries"),
    };
    // The key field is empty unless the admin types a new key: empty = keep the stored one.
    if (form.get("removeApiKey") === "on") body.apiKey = null;
    else if (str("apiKey")) body.apiKey = str("apiKey");
    const formEl = e.currentTarget;
    startTransition(async () => {
      const res = await fetch("/api/settings/llm", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const json = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      if (res.ok) {
        setMessage({ ok: true, text: "Saved." });
        (formEl.elements.namedItem("apiKey") as HTMLInputElement).value = "";
        router.refresh();
      } else setMessage({ ok: false, text: json?.error?.message ?? `Saving failed (HTTP ${res.status}).` });
    });
  }

  function onTest() {
    setTest(null);
    startTest(async () => {
      const res = await testLlmConnectionAction();
      setTest(res.ok ? { ok: true, text: `Connected: ${res.model} answered "${res.reply}".` } : { ok: false, text: res.error });
    });
  }

  const field = "mt-1 w-full rounded-md border border-slate-300 px-3 py-1.5";
  const hint = (f: LlmField, effective: string | number | null) => (
    <span className="mt-0.5 block text-xs font-normal text-slate-500" data-testid={`source-${f}`}>
      {settings.sources[f] === "unset" ? "not set" : `in use: ${effective ?? ""} (${SOURCE_TEXT[settings.sources[f]]})`}
    </span>
  );

  return (
    <div className="space-y-4">
      <p className="flex flex-wrap items-center gap-2 text-sm">
        Status:{" "}
        {settings.configured ? <Badge tone="green">configured</Badge> : <Badge tone="amber">not configured: jobs that need an LLM cannot run</Badge>}
        <Badge>{settings.source === "settings" ? "overridden here" : settings.source === "env" ? "from the environment" : "no endpoint"}</Badge>
        {settings.updatedAt ? <span className="text-slate-500">last saved {new Date(settings.updatedAt).toLocaleString("en-GB")}</span> : null}
      </p>
      <form onSubmit={onSubmit} className="grid gap-3 md:grid-cols-2" data-testid="llm-settings-form">
        <label className="text-sm font-medium md:col-span-2">
          Base URL
          <input name="baseUrl" type="url" defaultValue={o.baseUrl ?? ""} placeholder={settings.baseUrl ?? "https://api.openai.com/v1"} className={field} />
          {hint("baseUrl", settings.baseUrl)}
        </label>
        <label className="text-sm font-medium">
          Model
          <input name="model" defaultValue={o.model ?? ""} placeholder={settings.model ?? "gpt-4o-mini"} className={field} />
          {hint("model", settings.model)}
        </label>
        <div className="text-sm font-medium">
          <label htmlFor="llm-api-key">API key</label>
          <input
            id="llm-api-key"
            name="apiKey"
            type="password"
            autoComplete="off"
            placeholder={settings.hasApiKey ? "set (type a new key to replace it)" : "not set"}
            className={field}
          />
          <span className="mt-0.5 block text-xs font-normal text-slate-500" data-testid="api-key-state">
            {settings.hasApiKey ? `set (${SOURCE_TEXT[settings.sources.apiKey]}); the value is never shown` : "not set"}
          </span>
          {o.hasApiKey ? (
            <label className="mt-1 flex items-center gap-2 text-xs font-normal">
              <input type="checkbox" name="removeApiKey" /> remove the key stored here
            </label>
          ) : null}
        </div>
        <label className="text-sm font-medium">
          Concurrency (requests in flight)
          <input name="concurrency" type="number" min={LLM_LIMITS.concurrency.min} max={LLM_LIMITS.concurrency.max} defaultValue={o.concurrency ?? ""} placeholder={String(settings.concurrency)} className={field} />
          {hint("concurrency", settings.concurrency)}
        </label>
        <label className="text-sm font-medium">
          Timeout per request (ms)
          <input name="timeoutMs" type="number" min={LLM_LIMITS.timeoutMs.min} max={LLM_LIMITS.timeoutMs.max} defaultValue={o.timeoutMs ?? ""} placeholder={String(settings.timeoutMs)} className={field} />
          {hint("timeoutMs", settings.timeoutMs)}
        </label>
        <label className="text-sm font-medium">
          Retries (on 429, 5xx, timeouts)
          <input name="maxRetries" type="number" min={LLM_LIMITS.maxRetries.min} max={LLM_LIMITS.maxRetries.max} defaultValue={o.maxRetries ?? ""} placeholder={String(settings.maxRetries)} className={field} />
          {hint("maxRetries", settings.maxRetries)}
        </label>
        <div className="flex items-end gap-2">
          <Button type="submit" disabled={pending}>
            {pending ? "Saving…" : "Save"}
          </Button>
          <Button type="button" variant="secondary" onClick={onTest} disabled={testing || !settings.configured}>
            {testing ? "Testing…" : "Test connection"}
          </Button>
        </div>
        {message ? (
          <p role={message.ok ? "status" : "alert"} data-testid={message.ok ? "form-status" : "form-error"} className={`text-sm md:col-span-2 ${message.ok ? "text-green-800" : "text-red-700"}`}>
            {message.text}
          </p>
        ) : null}
        {test ? (
          <p role={test.ok ? "status" : "alert"} data-testid="connection-test" className={`text-sm md:col-span-2 ${test.ok ? "text-green-800" : "text-red-700"}`}>
            {test.text}
          </p>
        ) : null}
      </form>
    </div>
  );
}
