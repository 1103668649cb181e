"use client";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import type { BrowseFilter } from "@/lib/browse/schema";
import type { CreateJobInput } from "@/lib/jobs/schema";
import { postJob } from "./jobs-events";

interface Option {
  id: string;
  label: string;
}

type Scope = "run" | "dataset" | "browse";

export function RunJudgeForm(props: {
  runs: Option[];
  datasets: Option[];
  llm: { configured: boolean; model: string | null };
  browse: { filter: BrowseFilter; text: string; errors: string[] } | null;
  /** A version label suggestion (the server's time), so a new run is a new version unless changed. */
  suggestedVersion: string;
}) {
  const [kind, setKind] = useState<"heuristic" | "llm">("heuristic");
  const [scope, setScope] = useState<Scope>(props.browse ? "browse" : "run");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const get = (k: string) => String(f.get(k) ?? "").trim();
    const selection =
      scope === "run" ? { runId: get("runId") } : scope === "dataset" ? { datasetId: get("datasetId") } : { browse: props.browse?.filter ?? {} };
    const judge =
      kind === "heuristic"
        ? { kind: "heuristic" as const, version: get("version") }
        : { kind: "llm" as const, name: get("name") || "coconot-llm", version: get("version"), ...(get("model") ? { model: get("model") } : {}) };
    const body: CreateJobInput = { kind: "judge", params: { judge, selection } };
    setBusy(true);
    setMessage(null);
    try {
      await postJob(body);
      setMessage({ ok: true, text: "Judge job queued: follow it in the list above." });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }

  const input = "mt-1 w-full rounded border border-slate-300 px-2 py-1 text-sm";
  const llmMissing = kind === "llm" && !props.llm.configured;
  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label="Run a judge">
      <div className="grid gap-3 sm:grid-cols-2">
        <label className="text-sm">
          Judge
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as "heuristic" | "llm")} className={input}>
            <option value="heuristic">Heuristic (offline rules)</option>
            <option value="llm">LLM (CoCoNot rubric prompt)</option>
          </select>
        </label>
        <label className="text-sm">
          Version label
          <input name="version" required maxLength={64} defaultValue={props.suggestedVersion} className={input} />
        </label>
        {kind === "llm" ? (
          <>
            <label className="text-sm">
              Judge name
              <input name="name" maxLength={100} defaultValue="coconot-llm" className={input} />
            </label>
            <label className="text-sm">
              Model
              <input name="model" maxLength={200} placeholder={props.llm.model ?? "the endpoint's model"} className={input} />
            </label>
          </>
        ) : null}
      </div>
      <p className="text-xs text-slate-500">
        Each version label is its own judge version with its own labels; an older version&apos;s labels are never changed. Running a
        version again only labels responses it has not labelled yet.
      </p>
      {llmMissing ? (
        <p role="alert" className="text-sm text-amber-800">
          No LLM endpoint is configured. An admin sets it under Settings.
        </p>
      ) : null}
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Responses to judge</legend>
        <div className="flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-1">
            <input type="radio" name="scope" value="run" checked={scope === "run"} onChange={() => setScope("run")} /> A run
          </label>
          <label className="flex items-center gap-1">
            <input type="radio" name="scope" value="dataset" checked={scope === "dataset"} onChange={() => setScope("dataset")} /> A dataset
          </label>
          {props.browse ? (
            <label className="flex items-center gap-1">
              <input type="radio" name="scope" value="browse" checked={scope === "browse"} onChange={() => setScope("browse")} /> The current Browse filter
            </label>
          ) : null}
        </div>
        {scope === "run" ? (
          <label className="block text-sm">
            Run
            <select name="runId" required className={input}>
              {props.runs.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
        ) : scope === "dataset" ? (
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
        ) : (
          <p className="text-sm text-slate-700" data-testid="browse-selection">
            {props.browse?.text}
          </p>
        )}
        {scope === "browse" && props.browse?.errors.length ? (
          <ul role="alert" className="text-sm text-amber-800">
            {props.browse.errors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        ) : null}
      </fieldset>
      <Button type="submit" disabled={busy || llmMissing || (scope === "run" && !props.runs.length) || (scope === "dataset" && !props.datasets.length)}>
        {busy ? "Starting…" : "Start judging"}
      </Button>
      {message ? (
        <p role={message.ok ? "status" : "alert"} className={`text-sm ${message.ok ? "text-green-800" : "text-red-700"}`}>
          {message.text}
        </p>
      ) : null}
    </form>
  );
}
