"use client";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import type { CreateJobInput } from "@/lib/jobs/schema";
import { postJob } from "./jobs-events";

export function GenerateForm(props: { datasets: { id: string; label: string }[]; llm: { configured: boolean; model: string | null } }) {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const get = (k: string) => String(f.get(k) ?? "").trim();
    const num = (k: string) => (get(k) === "" ? undefined : Number(get(k)));
    const body: CreateJobInput = {
      kind: "generate",
      params: {
        datasetId: get("datasetId"),
        modelName: get("modelName"),
        runName: get("runName"),
        systemPrompt: f.get("coconotSystemPrompt") === "on" ? "coconot" : null,
        ...(num("temperature") !== undefined ? { temperature: num("temperature") } : {}),
        ...(num("maxTokens") !== undefined ? { maxTokens: num("maxTokens") } : {}),
      },
    };
    setBusy(true);
    setMessage(null);
    try {
      await postJob(body);
      setMessage({ ok: true, text: "Generation job queued: follow it in the list above." });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }

  const input = "mt-1 w-full rounded border border-slate-300 px-2 py-1 text-sm";
  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label="Generate responses">
      <p className="text-xs text-slate-500">
        Asks the configured LLM endpoint for one response per prompt of the dataset and stores them as a run of the model. Running the same
        model and run name again only asks for the prompts still missing.
      </p>
      {!props.llm.configured ? (
        <p role="alert" className="text-sm text-amber-800">
          No LLM endpoint is configured. An admin sets it under Settings.
        </p>
      ) : null}
      <label className="block text-sm">
        Dataset
        <select name="datasetId" required className={input}>
          {props.datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label}
            </option>
          ))}
        </select>
      </label>
      <div className="grid gap-3 sm:grid-cols-2">
        <label className="text-sm">
          Model name
          <input name="modelName" required maxLength={200} defaultValue={props.llm.model ?? ""} className={input} />
        </label>
        <label className="text-sm">
          Run name
          <input name="runName" required maxLength={200} className={input} />
        </label>
        <label className="text-sm">
          Temperature
          <input name="temperature" type="number" min={0} max={2} step={0.1} placeholder="endpoint default" className={input} />
        </label>
        <label className="text-sm">
          Max tokens
          <input name="maxTokens" type="number" min={1} max={32000} step={1} placeholder="512 in CoCoNot" className={input} />
        </label>
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input name="coconotSystemPrompt" type="checkbox" /> Use the CoCoNot system prompt
      </label>
      <Button type="submit" disabled={busy || !props.llm.configured || !props.datasets.length}>
        {busy ? "Starting…" : "Start generating"}
      </Button>
      {message ? (
        <p role={message.ok ? "status" : "alert"} className={`text-sm ${message.ok ? "text-green-800" : "text-red-700"}`}>
          {message.text}
        </p>
      ) : null}
    </form>
  );
}
