"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { BrowseFilter } from "@/lib/browse/schema";
import type { Selection } from "@/lib/queues/schema";
import { Button } from "@/components/ui/button";

type Kind = Selection["kind"];
interface Option {
  id: string;
  label: string;
}

export function CreateQueueForm(props: {
  runs: Option[];
  datasets: { id: string; name: string }[];
  judges: Option[];
  people: { id: string; name: string; role: string }[];
  browse: { filter: BrowseFilter; query: string; errors: string[] } | null;
}) {
  const router = useRouter();
  const [kind, setKind] = useState<Kind>(props.browse ? "browse" : "stratified");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const runIds = f.getAll("runIds").map(String);
    const datasetId = String(f.get("datasetId") ?? "") || undefined;
    const scope = { ...(runIds.length ? { runIds } : {}), ...(datasetId ? { datasetId } : {}) };
    let selection: Selection;
    if (kind === "browse" && props.browse) {
      const { after: _a, sort: _s, ...filter } = props.browse.filter;
      selection = { kind: "browse", filter };
    } else if (kind === "stratified") selection = { kind, perCell: Number(f.get("perCell")), seed: Number(f.get("seed") || 1), ...scope };
    else selection = { kind: kind as "judge_unclear" | "disagreements", judgeId: String(f.get("judgeId")), ...scope };
    const body = {
      name: String(f.get("name") ?? ""),
      description: String(f.get("description") ?? ""),
      k: Number(f.get("k")),
      blind: f.get("blind") === "on",
      assignees: f.getAll("assignees").map(String),
      selection,
    };
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const res = await fetch("/api/queues", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const json = await res.json();
      if (!res.ok) throw new Error(json?.error?.message ?? `The server answered ${res.status}.`);
      setDone(`Queue created with ${json.itemCount.toLocaleString("en-US")} items.`);
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const input = "mt-1 w-full rounded border border-slate-300 px-2 py-1 text-sm";
  return (
    <form onSubmit={onSubmit} className="grid gap-4 md:grid-cols-2" aria-label="New queue">
      <label className="text-sm">
        Name
        <input name="name" required maxLength={120} className={input} />
      </label>
      <label className="text-sm">
        Labels per item (k)
        <input name="k" type="number" min={1} max={20} defaultValue={2} required className={input} />
      </label>
      <label className="text-sm md:col-span-2">
        Description
        <input name="description" maxLength={2000} className={input} />
      </label>
      <label className="flex items-center gap-2 text-sm">
        <input name="blind" type="checkbox" defaultChecked /> Blind: hide the judge and other annotators until the annotator has submitted
      </label>
      <fieldset className="text-sm md:col-span-2">
        <legend className="font-medium">Items</legend>
        <div className="mt-1 flex flex-wrap gap-4">
          {props.browse ? <Radio name="kind" value="browse" checked={kind === "browse"} onChange={setKind} label="The Browse selection" /> : null}
          <Radio name="kind" value="stratified" checked={kind === "stratified"} onChange={setKind} label="N per subcategory × run (stratified sample)" />
          <Radio name="kind" value="judge_unclear" checked={kind === "judge_unclear"} onChange={setKind} label="Every judge `unclear`" />
          <Radio name="kind" value="disagreements" checked={kind === "disagreements"} onChange={setKind} label="Every judge–human disagreement" />
        </div>
      </fieldset>
      {kind === "browse" && props.browse ? (
        <p className="text-sm text-slate-700 md:col-span-2" data-testid="browse-selection">
          Responses matching <code className="rounded bg-slate-100 px-1">{props.browse.query || "(no filter)"}</code>
          {props.browse.errors.length ? <span className="text-amber-800"> · {props.browse.errors.join(" ")}</span> : null}
        </p>
      ) : null}
      {kind === "stratified" ? (
        <>
          <label className="text-sm">
            Items per subcategory × run
            <input name="perCell" type="number" min={1} max={1000} defaultValue={5} required className={input} />
          </label>
          <label className="text-sm">
            Random seed
            <input name="seed" type="number" min={0} defaultValue={1} className={input} />
          </label>
        </>
      ) : null}
      {kind === "judge_unclear" || kind === "disagreements" ? (
        <label className="text-sm">
          Judge
          <select name="judgeId" required className={input}>
            {props.judges.map((j) => (
              <option key={j.id} value={j.id}>
                {j.label}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {kind !== "browse" ? (
        <>
          <label className="text-sm">
            Dataset (optional)
            <select name="datasetId" className={input} defaultValue="">
              <option value="">Every dataset</option>
              {props.datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
          <label className="text-sm">
            Runs (none selected = every run)
            <select name="runIds" multiple size={Math.min(6, props.runs.length)} className={input}>
              {props.runs.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
        </>
      ) : null}
      <fieldset className="text-sm md:col-span-2">
        <legend className="font-medium">Assigned annotators (none = every annotator)</legend>
        <div className="mt-1 flex flex-wrap gap-3">
          {props.people.map((p) => (
            <label key={p.id} className="flex items-center gap-1">
              <input type="checkbox" name="assignees" value={p.id} /> {p.name} <span className="text-xs text-slate-500">({p.role})</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex items-center gap-3 md:col-span-2">
        <Button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create queue"}
        </Button>
        {error ? (
          <p role="alert" className="text-sm text-red-800" data-testid="queue-error">
            {error}
          </p>
        ) : null}
        {done ? (
          <p role="status" className="text-sm text-green-800" data-testid="queue-created">
            {done}
          </p>
        ) : null}
      </div>
    </form>
  );
}

function Radio({ name, value, checked, onChange, label }: { name: string; value: Kind; checked: boolean; onChange: (k: Kind) => void; label: string }) {
  return (
    <label className="flex items-center gap-1">
      <input type="radio" name={name} value={value} checked={checked} onChange={() => onChange(value)} /> {label}
    </label>
  );
}
