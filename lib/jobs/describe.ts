// One line per job saying what it does, and where to see what it produced. Pure.
import { browseHref, type BrowseFilter } from "../browse/schema";

export interface JobNames {
  runs: ReadonlyMap<string, string>;
  datasets: ReadonlyMap<string, string>;
  judges: ReadonlyMap<string, string>;
  users: ReadonlyMap<string, string>;
}

type Params = Record<string, unknown> & {
  judge?: { kind?: string; name?: string; version?: string; model?: string };
  selection?: { runId?: string; datasetId?: string; browse?: BrowseFilter };
};

const BROWSE_KEYS: readonly (keyof BrowseFilter)[] = ["dataset", "run", "category", "subcategory", "expectation", "judgeVerdict", "humanVerdict", "finalVerdict", "labelled", "disagree", "annotator", "q"];

export function selectionText(sel: Params["selection"], names: JobNames): string {
  if (!sel) return "no selection";
  if (sel.runId) return `run ${names.runs.get(sel.runId) ?? sel.runId}`;
  if (sel.datasetId) return `dataset ${names.datasets.get(sel.datasetId) ?? sel.datasetId}`;
  if (sel.browse) {
    const f = sel.browse;
    const parts = BROWSE_KEYS.filter((k) => f[k] !== undefined).map((k) => {
      const v = String(f[k]);
      if (k === "run") return `run ${names.runs.get(v) ?? v}`;
      if (k === "dataset") return `dataset ${names.datasets.get(v) ?? v}`;
      if (k === "q") return `text "${v}"`;
      if (k === "labelled" || k === "disagree") return k;
      return `${k} ${v}`;
    });
    return parts.length ? `Browse selection (${parts.join(", ")})` : "Browse selection (all responses)";
  }
  return "no selection";
}

export function jobTitle(kind: string, params: unknown, names: JobNames): string {
  const p = (params ?? {}) as Params;
  if (kind === "judge") {
    const j = p.judge ?? {};
    const who = j.kind === "llm" ? `LLM judge ${j.name ?? "coconot-llm"} ${j.version ?? ""}${j.model ? ` (${j.model})` : ""}` : `Heuristic judge ${j.version ?? ""}`;
    return `${who.trim()} · ${selectionText(p.selection, names)}`;
  }
  if (kind === "generate") {
    const dataset = typeof p.datasetId === "string" ? (names.datasets.get(p.datasetId) ?? p.datasetId) : "?";
    const system = p.systemPrompt === "coconot" ? " · CoCoNot system prompt" : typeof p.systemPrompt === "string" ? " · own system prompt" : "";
    return `Generate ${String(p.modelName ?? "?")} · ${String(p.runName ?? "?")} on dataset ${dataset}${system}`;
  }
  if (kind === "import") return `Import ${String(p.fileName ?? "upload")}`;
  return kind;
}

/** Browse, filtered to what the job wrote: the new judge version's labels, or the new run's responses. */
export function jobHref(kind: string, params: unknown, result: Record<string, unknown> | null): string | null {
  const p = (params ?? {}) as Params;
  if (kind === "judge" && typeof result?.judgeId === "string") {
    const sel = p.selection ?? {};
    const scope: BrowseFilter = sel.runId ? { run: sel.runId } : sel.datasetId ? { dataset: sel.datasetId } : { ...(sel.browse ?? {}) };
    delete scope.after;
    delete scope.sort;
    return browseHref({ ...scope, judge: result.judgeId, source: "judge", labelled: "1" });
  }
  if (kind === "generate" && typeof result?.runId === "string") return browseHref({ run: result.runId });
  return null;
}
