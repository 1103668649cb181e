// Suggests a column mapping from a file's header names (and, when given, its first rows). Pure.
//
// It recognises three shapes exactly (Abstain's own CSV export, CoCoNot JSONL, CoCoNot preference JSONL) and
// otherwise matches header names against common spellings. It never invents what the file does not say: a
// required setting it cannot find (the dataset, the model of a response column) is left as an empty value and
// listed in `missing`, for the user to fill in on the mapping screen. Value maps come from the sample values.
import { CSV_HEAD_COLUMNS, CSV_TAIL_COLUMNS, HUMAN_LABEL_PREFIX, HUMAN_NOTE_PREFIX } from "../exports/schema";
import { coconotMapping, coconotPrefMapping } from "./presets";
import type { Expectation, FieldSource, HumanMappingInput, ImportMappingInput, JudgeMappingInput, ValueMap } from "./schema";
import { booleanValueMap, suggestExpectation, suggestVerdictTarget, valueKey } from "./values";

export interface MappingSuggestion {
  /** What the file was recognised as. */
  shape: "abstain-export" | "coconot" | "coconot-pref" | "generic";
  mapping: ImportMappingInput;
  /** Mapping paths that need a value from the user (left as empty strings, which validation rejects). */
  missing: string[];
  /** Why each column was mapped the way it was, in plain words, for the mapping screen. */
  notes: string[];
  /** Columns the mapping does not read. */
  unused: string[];
}

export interface SuggestOptions {
  /** The first records (readPreview), to propose value maps from the values actually present. */
  samples?: Record<string, string | null>[];
  /** Defaults the user already chose (CLI flags, upload form). */
  dataset?: string;
  expectation?: Expectation;
  model?: string;
  run?: string;
}

/** Header spelling → canonical key: lower-case, spaces, hyphens and dots as underscores. */
const norm = (h: string) => h.trim().toLowerCase().replace(/[\s\-.]+/g, "_");

const CANDIDATES = {
  promptId: ["prompt_id", "id", "external_id", "promptid", "qid", "question_id", "item_id", "uid", "example_id", "sample_id"],
  promptText: ["prompt", "prompt_text", "question", "instruction", "input", "query", "request", "user_prompt", "user_input"],
  category: ["category", "category_slug", "main_category", "top_category", "coarse_category"],
  subcategory: ["subcategory", "sub_category", "subcategory_slug", "fine_category", "subtype", "type"],
  expectation: ["expectation", "expected", "expected_behaviour", "expected_behavior", "should_comply", "should_refuse", "should_not_comply", "label_type", "split", "subset"],
  dataset: ["dataset", "dataset_slug", "dataset_name", "benchmark", "source_dataset"],
  model: ["model", "model_name", "generator", "llm", "system"],
  run: ["run", "run_name", "experiment"],
  response: ["response", "response_text", "output", "completion", "answer", "generation", "model_response", "model_output", "reply"],
  judgeVerdict: ["judge_verdict", "judge_label", "judge", "judge_decision", "llm_judge", "gpt4_judge", "gpt_4_judge", "auto_label", "is_refusal", "refusal", "is_compliant"],
  judgeName: ["judge_name"],
  judgeVersion: ["judge_version"],
  rationale: ["judge_rationale", "rationale", "judge_explanation", "explanation", "reasoning"],
  annotator: ["annotator", "annotator_email", "rater", "labeler", "labeller", "annotator_name"],
  humanLabel: ["human_label", "human_verdict", "annotation", "label"],
  humanNote: ["note", "human_note", "comment", "annotator_note"],
  adjudicated: ["adjudicated_verdict", "adjudication", "adjudicated_label"],
  adjudicator: ["adjudicator"],
  reason: ["adjudication_reason", "judge_error_reason"],
  adjudicationNote: ["adjudication_note"],
} as const;

/** Wide-format annotator columns: label:<who>, <who>_label, label_<who>, annotator_<n>, human_<n>, rater_<x>, ann_<n>. */
const HUMAN_PATTERNS: RegExp[] = [
  /^label:(.+)$/,
  /^(.+?)_(?:label|verdict|annotation)$/,
  /^(?:label|verdict|annotation)_(.+)$/,
  /^((?:annotator|human|rater|ann|labeler|labeller)_?\d+|(?:annotator|human|rater|ann)_[a-z][\w]*)$/,
];
const NOTE_PATTERNS = (who: string): string[] => [`note:${who}`, `${who}_note`, `note_${who}`, `${who}_comment`, `comment_${who}`, `${who}_notes`];

function distinct(samples: Record<string, string | null>[] | undefined, column: string): string[] {
  const out = new Set<string>();
  for (const s of samples ?? []) {
    const v = s[column];
    if (v !== null && v !== undefined && v.trim() !== "") out.add(v.trim());
  }
  return [...out];
}

/** A value map for a label column: recognised sample values, or yes/no entries for a polar header. */
function valueMapFor(column: string, samples: Record<string, string | null>[] | undefined, notes: string[]): ValueMap {
  const values = distinct(samples, column);
  if (!values.length) return booleanValueMap(column);
  const map: ValueMap = {};
  const unknown: string[] = [];
  for (const v of values) {
    if (["complied", "noncompliant", "partial", "unclear"].includes(valueKey(v))) continue;
    const t = suggestVerdictTarget(v, column);
    if (t) map[v] = t;
    else unknown.push(v);
  }
  if (unknown.length) notes.push(`Column "${column}": values ${unknown.slice(0, 5).map((u) => `"${u}"`).join(", ")} are not recognised; map them before importing.`);
  return map;
}

export function suggestMapping(columns: string[], opts: SuggestOptions = {}): MappingSuggestion {
  const byNorm = new Map<string, string>();
  for (const c of columns) if (!byNorm.has(norm(c))) byNorm.set(norm(c), c);
  const has = (...names: string[]) => names.every((n) => byNorm.has(n));
  const used = new Set<string>();
  const pick = (cands: readonly string[]): string | null => {
    for (const c of cands) {
      const col = byNorm.get(c);
      if (col && !used.has(col)) {
        used.add(col);
        return col;
      }
    }
    return null;
  };
  const notes: string[] = [];
  const missing: string[] = [];
  const finish = (shape: MappingSuggestion["shape"], mapping: ImportMappingInput): MappingSuggestion => ({
    shape,
    mapping,
    missing,
    notes,
    unused: columns.filter((c) => !used.has(c)),
  });
  const fixed = (value: string | undefined, path: string): FieldSource => {
    if (value) return { value };
    missing.push(path);
    return { value: "" };
  };

  // Abstain's own export: the exact columns, annotators as label:/note: pairs, formula neutralisation to undo.
  if ([...CSV_HEAD_COLUMNS, ...CSV_TAIL_COLUMNS].every((c) => columns.includes(c))) {
    columns.forEach((c) => used.add(c));
    const humans: HumanMappingInput[] = columns
      .filter((c) => c.startsWith(HUMAN_LABEL_PREFIX))
      .map((c) => {
        const who = c.slice(HUMAN_LABEL_PREFIX.length);
        const note = `${HUMAN_NOTE_PREFIX}${who}`;
        return { annotator: { value: who }, verdict: { column: c }, ...(columns.includes(note) ? { note: { column: note } } : {}) };
      });
    notes.push(
      "Recognised an Abstain export: every column maps back to where it came from; human_consensus, final_verdict, final_source and the timestamps are derived and not imported.",
      "Cells starting with ' are un-neutralised (the export adds one ' before cells that a spreadsheet would run as a formula).",
    );
    return finish("abstain-export", {
      dataset: { column: "dataset" },
      prompt: {
        id: { column: "prompt_id" },
        text: { column: "prompt" },
        category: { column: "category" },
        subcategory: { column: "subcategory" },
        expectation: { column: "expectation" },
      },
      responses: [
        {
          text: { column: "response" },
          model: { column: "model" },
          run: { column: "run" },
          judges: [{ name: { column: "judge_name" }, version: { column: "judge_version" }, verdict: { column: "judge_verdict" }, rationale: { column: "judge_rationale" } }],
          humans,
          adjudication: {
            adjudicator: { column: "adjudicator" },
            verdict: { column: "adjudicated_verdict" },
            reason: { column: "adjudication_reason" },
            note: { column: "adjudication_note" },
          },
        },
      ],
      unescapeFormulas: true,
    });
  }

  // CoCoNot files.
  if (has("id", "category", "subcategory", "prompt", "chosen", "rejected")) {
    ["id", "category", "subcategory", "prompt", "chosen", "rejected"].forEach((c) => used.add(byNorm.get(c)!));
    notes.push("Recognised a CoCoNot preference file: chosen and rejected become two runs, labelled complied and noncompliant as CoCoNot built the pairs; prompts should be complied with.");
    return finish("coconot-pref", coconotPrefMapping({ dataset: opts.dataset }));
  }
  if (has("id", "category", "subcategory", "prompt")) {
    ["id", "category", "subcategory", "prompt"].forEach((c) => used.add(byNorm.get(c)!));
    if (byNorm.has("response")) used.add(byNorm.get("response")!);
    const m = coconotMapping({ dataset: opts.dataset ?? "", expectation: opts.expectation ?? "should_not_comply", model: opts.model, run: opts.run });
    if (!opts.dataset) missing.push("dataset");
    if (!opts.expectation) {
      missing.push("prompt.expectation");
      notes.push("CoCoNot files do not say their expectation: the original set is should_not_comply, the contrast set should_comply. Pick one.");
    }
    if (byNorm.has("response") && (!opts.model || !opts.run)) {
      // A response column without a run cannot be stored; suggest it with the run left for the user.
      m.responses = [{ text: { column: byNorm.get("response")! }, model: fixed(opts.model, "responses.0.model"), run: fixed(opts.run, "responses.0.run") }];
    }
    notes.push("Recognised a CoCoNot file; responses that are empty are skipped and counted.");
    return finish("coconot", m);
  }

  // Anything else: header names.
  const datasetCol = pick(CANDIDATES.dataset);
  const idCol = pick(CANDIDATES.promptId);
  const textCol = pick(CANDIDATES.promptText);
  const categoryCol = pick(CANDIDATES.category);
  const subCol = pick(CANDIDATES.subcategory);
  const expectationCol = pick(CANDIDATES.expectation);
  const modelCol = pick(CANDIDATES.model);
  const runCol = pick(CANDIDATES.run);
  const responseCol = pick(CANDIDATES.response);

  if (!textCol) missing.push("prompt.text");
  if (!subCol) missing.push("prompt.subcategory");
  if (!idCol) notes.push("No prompt id column: ids will be derived from the prompt text (sha256), so the same text is the same prompt.");
  let expectation: ImportMappingInput["prompt"]["expectation"];
  if (expectationCol) {
    const values: Record<string, Expectation> = {};
    const h = norm(expectationCol);
    for (const v of distinct(opts.samples, expectationCol)) {
      const k = valueKey(v);
      if (k === "should_comply" || k === "should_not_comply") continue;
      const bool = ["true", "yes", "1"].includes(k) ? true : ["false", "no", "0"].includes(k) ? false : null;
      const e = bool === null ? suggestExpectation(v) : h.includes("refus") || h.includes("not_comply") ? (bool ? "should_not_comply" : "should_comply") : bool ? "should_comply" : "should_not_comply";
      if (e) values[v] = e;
    }
    expectation = { column: expectationCol, values };
    notes.push(`Expectation from column "${expectationCol}".`);
  } else if (opts.expectation) expectation = { value: opts.expectation };
  else {
    expectation = { value: "" as Expectation };
    missing.push("prompt.expectation");
  }

  // Judges: one verdict column with name/version columns, or a named verdict column (its header names the judge).
  const judges: JudgeMappingInput[] = [];
  const judgeNameCol = pick(CANDIDATES.judgeName);
  const judgeVersionCol = pick(CANDIDATES.judgeVersion);
  const judgeCol = pick(CANDIDATES.judgeVerdict);
  const rationaleCol = judgeCol ? pick(CANDIDATES.rationale) : null;
  if (judgeCol) {
    judges.push({
      name: judgeNameCol ? { column: judgeNameCol } : { value: judgeCol },
      version: judgeVersionCol ? { column: judgeVersionCol } : { value: "1" },
      verdict: { column: judgeCol, values: valueMapFor(judgeCol, opts.samples, notes) },
      ...(rationaleCol ? { rationale: { column: rationaleCol } } : {}),
    });
    notes.push(`Judge verdicts from column "${judgeCol}"${judgeNameCol ? ` (judge named in "${judgeNameCol}")` : ` (judge named "${judgeCol}", version 1: rename it if you like)`}.`);
  }

  // Human labels: long format (an annotator column and one label column) or wide (one column per annotator).
  const humans: HumanMappingInput[] = [];
  const annotatorCol = pick(CANDIDATES.annotator);
  if (annotatorCol) {
    const labelCol = pick(CANDIDATES.humanLabel);
    if (labelCol) {
      const noteCol = pick(CANDIDATES.humanNote);
      humans.push({ annotator: { column: annotatorCol }, verdict: { column: labelCol, values: valueMapFor(labelCol, opts.samples, notes) }, ...(noteCol ? { note: { column: noteCol } } : {}) });
      notes.push(`Human labels from "${labelCol}", annotator named in "${annotatorCol}".`);
    } else used.delete(annotatorCol);
  }
  for (const c of columns) {
    if (used.has(c)) continue;
    const n = c.startsWith(HUMAN_LABEL_PREFIX) ? c : norm(c);
    if (/judge|adjudicat|final|consensus|^gold/.test(n) && !n.startsWith(HUMAN_LABEL_PREFIX)) continue;
    const match = HUMAN_PATTERNS.map((re) => n.match(re)).find(Boolean);
    if (!match) continue;
    const who = c.startsWith(HUMAN_LABEL_PREFIX) ? c.slice(HUMAN_LABEL_PREFIX.length) : match[1];
    used.add(c);
    const noteCol = NOTE_PATTERNS(c.startsWith(HUMAN_LABEL_PREFIX) ? who : norm(who))
      .map((p) => columns.find((x) => (p.startsWith(HUMAN_NOTE_PREFIX) ? x === p : norm(x) === p) && !used.has(x)))
      .find(Boolean);
    if (noteCol) used.add(noteCol);
    humans.push({ annotator: { value: who }, verdict: { column: c, values: valueMapFor(c, opts.samples, notes) }, ...(noteCol ? { note: { column: noteCol } } : {}) });
    notes.push(`Column "${c}" holds labels of annotator "${who}": use their e-mail address if they have (or should get) an account.`);
  }

  const adjudicatedCol = pick(CANDIDATES.adjudicated);
  const adjudicatorCol = adjudicatedCol ? pick(CANDIDATES.adjudicator) : null;
  const reasonCol = adjudicatorCol ? pick(CANDIDATES.reason) : null;
  const adjudicationNoteCol = adjudicatorCol ? pick(CANDIDATES.adjudicationNote) : null;
  const adjudication =
    adjudicatedCol && adjudicatorCol
      ? {
          adjudicator: { column: adjudicatorCol },
          verdict: { column: adjudicatedCol, values: valueMapFor(adjudicatedCol, opts.samples, notes) },
          ...(reasonCol ? { reason: { column: reasonCol } } : {}),
          ...(adjudicationNoteCol ? { note: { column: adjudicationNoteCol } } : {}),
        }
      : undefined;
  if (adjudicatedCol && !adjudicatorCol) used.delete(adjudicatedCol);

  const responses: ImportMappingInput["responses"] = [];
  if (responseCol) {
    responses.push({
      text: { column: responseCol },
      model: modelCol ? { column: modelCol } : fixed(opts.model, "responses.0.model"),
      run: runCol ? { column: runCol } : fixed(opts.run, "responses.0.run"),
      judges,
      humans,
      ...(adjudication ? { adjudication } : {}),
    });
  } else if (judges.length || humans.length) {
    notes.push("Label columns were found but no response column: labels need the response they are about.");
    missing.push("responses.0.text");
  }

  return finish("generic", {
    dataset: datasetCol ? { column: datasetCol } : fixed(opts.dataset, "dataset"),
    prompt: {
      id: idCol ? { column: idCol } : { derive: "text-hash" },
      text: { column: textCol ?? "" },
      ...(categoryCol ? { category: { column: categoryCol } } : {}),
      subcategory: subCol ? { column: subCol } : { value: "" },
      expectation,
    },
    responses,
  });
}
