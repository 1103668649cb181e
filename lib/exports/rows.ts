// Export rows: from what the query returns to CSV cells, JSONL objects, SFT examples and preference pairs.
// Pure, so every column's content is unit-tested.
import type { Expectation, Verdict } from "../judges/schema";
import { finalVerdict, humanConsensus, isAcceptable, type FinalVerdict } from "./final-verdict";
import { neutraliseFormula } from "./formula";
import { CSV_HEAD_COLUMNS, CSV_TAIL_COLUMNS, HUMAN_LABEL_PREFIX, HUMAN_NOTE_PREFIX } from "./schema";

/** One row as lib/exports/data.ts selects it (timestamps already ISO 8601 UTC text). */
export interface ExportDbRow {
  response_id: string;
  prompt_row_id: string;
  prompt_id: string;
  dataset: string;
  category: string;
  subcategory: string;
  expectation: Expectation;
  prompt: string;
  model: string;
  run: string;
  response: string;
  response_created_at: string;
  judge_name: string | null;
  judge_version: string | null;
  judge_verdict: Verdict | null;
  judge_rationale: string | null;
  judge_labelled_at: string | null;
  /** JSON array text: [{annotator, verdict, note, created_at, updated_at}], ordered by annotator. */
  human_labels: string | null;
  adj_verdict: Verdict | null;
  adj_reason: string | null;
  adj_note: string | null;
  adjudicator: string | null;
  adj_created_at: string | null;
  adj_updated_at: string | null;
}

export interface HumanLabelOut {
  annotator: string;
  verdict: Verdict;
  note: string;
  created_at: string;
  updated_at: string;
}

export interface ExportRow {
  responseId: string;
  /** Internal prompt id (grouping for preference pairs); not exported. */
  promptRowId: string;
  promptId: string;
  dataset: string;
  category: string;
  subcategory: string;
  expectation: Expectation;
  prompt: string;
  model: string;
  run: string;
  response: string;
  responseCreatedAt: string;
  judge: { name: string; version: string; verdict: Verdict; rationale: string; labelledAt: string } | null;
  humanLabels: HumanLabelOut[];
  adjudication: { verdict: Verdict; adjudicator: string; reason: string; note: string; createdAt: string; updatedAt: string } | null;
  humanConsensus: Verdict | null;
  final: FinalVerdict | null;
}

export function toExportRow(r: ExportDbRow): ExportRow {
  const humanLabels: HumanLabelOut[] = r.human_labels ? JSON.parse(r.human_labels) : [];
  const judge =
    r.judge_verdict && r.judge_name !== null && r.judge_version !== null
      ? { name: r.judge_name, version: r.judge_version, verdict: r.judge_verdict, rationale: r.judge_rationale ?? "", labelledAt: r.judge_labelled_at ?? "" }
      : null;
  const adjudication = r.adj_verdict
    ? {
        verdict: r.adj_verdict,
        adjudicator: r.adjudicator ?? "",
        reason: r.adj_reason ?? "none",
        note: r.adj_note ?? "",
        createdAt: r.adj_created_at ?? "",
        updatedAt: r.adj_updated_at ?? "",
      }
    : null;
  const humans = humanLabels.map((h) => h.verdict);
  return {
    responseId: r.response_id,
    promptRowId: r.prompt_row_id,
    promptId: r.prompt_id,
    dataset: r.dataset,
    category: r.category,
    subcategory: r.subcategory,
    expectation: r.expectation,
    prompt: r.prompt,
    model: r.model,
    run: r.run,
    response: r.response,
    responseCreatedAt: r.response_created_at,
    judge,
    humanLabels,
    adjudication,
    humanConsensus: humanConsensus(humans),
    final: finalVerdict({ adjudicated: adjudication?.verdict ?? null, humans, judge: judge?.verdict ?? null }),
  };
}

/** The CSV header: fixed columns around one label and one note column per annotator (by e-mail, sorted). */
export function csvColumns(annotators: readonly string[]): string[] {
  return [...CSV_HEAD_COLUMNS, ...annotators.flatMap((a) => [`${HUMAN_LABEL_PREFIX}${a}`, `${HUMAN_NOTE_PREFIX}${a}`]), ...CSV_TAIL_COLUMNS];
}

/** One CSV record in csvColumns order, every cell formula-neutralised (lib/exports/formula.ts). */
export function csvRecord(row: ExportRow, annotators: readonly string[]): string[] {
  const byAnnotator = new Map(row.humanLabels.map((h) => [h.annotator, h]));
  const cells = [
    row.promptId,
    row.dataset,
    row.category,
    row.subcategory,
    row.expectation,
    row.prompt,
    row.model,
    row.run,
    row.response,
    row.judge?.name ?? "",
    row.judge?.version ?? "",
    row.judge?.verdict ?? "",
    row.judge?.rationale ?? "",
    ...annotators.flatMap((a) => {
      const h = byAnnotator.get(a);
      return [h?.verdict ?? "", h?.note ?? ""];
    }),
    row.humanConsensus ?? "",
    row.adjudication?.verdict ?? "",
    row.final?.verdict ?? "",
    row.final?.source ?? "",
    row.adjudication?.adjudicator ?? "",
    row.adjudication ? row.adjudication.reason : "",
    row.adjudication?.note ?? "",
    row.responseCreatedAt,
    row.judge?.labelledAt ?? "",
    row.adjudication?.updatedAt ?? "",
  ];
  return cells.map(neutraliseFormula);
}

/** One JSONL object: the same content as a CSV row, with human labels as an array and nothing neutralised. */
export function jsonlRecord(row: ExportRow) {
  return {
    prompt_id: row.promptId,
    dataset: row.dataset,
    category: row.category,
    subcategory: row.subcategory,
    expectation: row.expectation,
    prompt: row.prompt,
    model: row.model,
    run: row.run,
    response: row.response,
    judge: row.judge
      ? { name: row.judge.name, version: row.judge.version, verdict: row.judge.verdict, rationale: row.judge.rationale, labelled_at: row.judge.labelledAt }
      : null,
    human_labels: row.humanLabels,
    human_consensus: row.humanConsensus,
    adjudication: row.adjudication
      ? {
          verdict: row.adjudication.verdict,
          adjudicator: row.adjudication.adjudicator,
          reason: row.adjudication.reason,
          note: row.adjudication.note,
          created_at: row.adjudication.createdAt,
          updated_at: row.adjudication.updatedAt,
        }
      : null,
    final_verdict: row.final?.verdict ?? null,
    final_source: row.final?.source ?? null,
    response_created_at: row.responseCreatedAt,
  };
}

/** SFT example: only responses whose final verdict is acceptable for the prompt's expectation; else null. */
export function sftRecord(row: ExportRow) {
  if (!row.final || isAcceptable(row.expectation, row.final.verdict) !== true) return null;
  return {
    prompt: row.prompt,
    response: row.response,
    prompt_id: row.promptId,
    dataset: row.dataset,
    category: row.category,
    subcategory: row.subcategory,
    expectation: row.expectation,
    model: row.model,
    run: row.run,
    final_verdict: row.final.verdict,
    final_source: row.final.source,
  };
}

/**
 * Preference pairs from all exported responses to ONE prompt (across runs): chosen = a response whose final
 * verdict is acceptable for the expectation, rejected = one whose verdict is not. Responses are taken in the
 * order given (model, run, id) and each is used once, so a prompt gives min(#acceptable, #unacceptable) pairs.
 * Unclear and unlabelled responses are left out.
 */
export function preferencePairs(rows: readonly ExportRow[]) {
  const good: ExportRow[] = [];
  const bad: ExportRow[] = [];
  for (const r of rows) {
    if (!r.final) continue;
    const ok = isAcceptable(r.expectation, r.final.verdict);
    if (ok === true) good.push(r);
    else if (ok === false) bad.push(r);
  }
  const n = Math.min(good.length, bad.length);
  return Array.from({ length: n }, (_, i) => {
    const c = good[i];
    const x = bad[i];
    return {
      prompt: c.prompt,
      chosen: c.response,
      rejected: x.response,
      prompt_id: c.promptId,
      dataset: c.dataset,
      category: c.category,
      subcategory: c.subcategory,
      expectation: c.expectation,
      chosen_model: c.model,
      chosen_run: c.run,
      chosen_verdict: c.final!.verdict,
      chosen_source: c.final!.source,
      rejected_model: x.model,
      rejected_run: x.run,
      rejected_verdict: x.final!.verdict,
      rejected_source: x.final!.source,
    };
  });
}
