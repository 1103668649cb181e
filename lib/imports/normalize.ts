// One file record → what will be stored, through the confirmed mapping. Pure: the taxonomy comes in as a
// plain index, so every rule here is unit-tested without a database. The same function runs in the
// validation pass and again in the write pass, so both passes agree on every row by construction.
import { createHash } from "node:crypto";
import { unneutraliseFormula } from "../exports/formula";
import { TEXT_LIMITS, tooLongMessage } from "../limits/text";
import type { SourceRecord } from "./parse";
import {
  JUDGE_ERROR_REASONS,
  type Expectation,
  type FieldSource,
  type ImportMapping,
  type ImportProblem,
  type JudgeErrorReasonName,
  type Verdict,
  type VerdictSource,
} from "./schema";
import { compileValueMap, resolveVerdict, valueKey, type CompiledValueMap } from "./values";

export interface NormalizedJudgeLabel {
  name: string;
  version: string;
  kind: "imported" | "reference";
  verdict: Verdict;
  rationale: string;
}
export interface NormalizedHumanLabel {
  /** As written in the file: an e-mail (lower-cased) or a name. Resolved to a user by resolveUsers. */
  annotator: string;
  verdict: Verdict;
  note: string;
}
export interface NormalizedAdjudication {
  adjudicator: string;
  verdict: Verdict;
  reason: JudgeErrorReasonName;
  note: string;
}
export interface NormalizedResponse {
  model: string;
  run: string;
  text: string;
  judges: NormalizedJudgeLabel[];
  humans: NormalizedHumanLabel[];
  adjudication: NormalizedAdjudication | null;
}
export interface NormalizedRow {
  line: number;
  row: number;
  dataset: string;
  externalId: string;
  text: string;
  /** Canonical "category slug/subcategory slug": an existing subcategory or one from createSubcategories. */
  subcategory: string;
  expectation: Expectation;
  responses: NormalizedResponse[];
  /** Responses the mapping names but whose text is empty in this row: skipped, and counted. */
  emptyResponses: number;
}

/** The taxonomy as normalisation needs it: every "category/subcategory" key that exists. */
export interface TaxonomyIndex {
  keys: ReadonlySet<string>;
  /** Subcategory slug → the keys that carry it (to resolve rows without a category, and to hint). */
  bySlug: ReadonlyMap<string, string[]>;
}

export function buildTaxonomyIndex(keys: Iterable<string>): TaxonomyIndex {
  const set = new Set(keys);
  const bySlug = new Map<string, string[]>();
  for (const k of set) {
    const slug = k.slice(k.indexOf("/") + 1);
    bySlug.set(slug, [...(bySlug.get(slug) ?? []), k]);
  }
  return { keys: set, bySlug };
}

export type NormalizeOutcome =
  | { ok: true; row: NormalizedRow }
  | {
      ok: false;
      problems: ImportProblem[];
      /** Label / expectation values without a mapping, reported once per column and value by the caller. */
      unmapped: { field: string; value: string; kind: "verdict" | "expectation" }[];
      /** Set when the row's subcategory is unknown, reported once per key by the caller. */
      unknownSubcategory: { key: string; category: string | null; subcategory: string } | null;
    };

interface CompiledVerdict {
  source: VerdictSource;
  map: CompiledValueMap;
}

/** The mapping with value maps compiled once, and the taxonomy it resolves against. */
export class RowNormalizer {
  private readonly verdicts = new Map<VerdictSource, CompiledVerdict>();
  private readonly newKeys: ReadonlySet<string>;
  private readonly expectationValues: Map<string, Expectation>;

  constructor(
    readonly mapping: ImportMapping,
    private readonly taxonomy: TaxonomyIndex,
  ) {
    this.newKeys = new Set(mapping.createSubcategories.map((s) => `${s.category}/${s.subcategory}`));
    this.expectationValues = new Map<string, Expectation>([
      ["should_not_comply", "should_not_comply"],
      ["should_comply", "should_comply"],
    ]);
    for (const [k, v] of Object.entries(mapping.prompt.expectation.values ?? {})) this.expectationValues.set(valueKey(k), v);
    for (const r of mapping.responses) {
      for (const s of [...r.judges.map((j) => j.verdict), ...r.humans.map((h) => h.verdict), ...(r.adjudication ? [r.adjudication.verdict] : [])]) {
        this.verdicts.set(s, { source: s, map: compileValueMap(s.values) });
      }
    }
  }

  /**
   * Fixed values of the mapping (`{ value }`) longer than their field allows, reported once here instead of on
   * every row (the rows then only check values read from columns).
   */
  fixedValueProblems(): ImportProblem[] {
    const out: ImportProblem[] = [];
    const check = (s: FieldSource | undefined, path: string, what: string, max: number) => {
      if (s?.value !== undefined && s.value.length > max) out.push(tooLong(path, what, s.value.length, max));
    };
    const m = this.mapping;
    check(m.dataset, "dataset", "The dataset", TEXT_LIMITS.name);
    check(m.prompt.category, "prompt.category", "The category", TEXT_LIMITS.name);
    check(m.prompt.subcategory, "prompt.subcategory", "The subcategory", TEXT_LIMITS.name);
    m.responses.forEach((r, i) => {
      const p = `responses.${i}`;
      check(r.model, `${p}.model`, "The model", TEXT_LIMITS.name);
      check(r.run, `${p}.run`, "The run", TEXT_LIMITS.name);
      r.judges.forEach((j, k) => {
        check(j.name, `${p}.judges.${k}.name`, "The judge name", TEXT_LIMITS.name);
        check(j.version, `${p}.judges.${k}.version`, "The judge version", TEXT_LIMITS.name);
        check(j.rationale, `${p}.judges.${k}.rationale`, "The rationale", TEXT_LIMITS.rationale);
      });
      r.humans.forEach((h, k) => {
        check(h.annotator, `${p}.humans.${k}.annotator`, "The annotator", TEXT_LIMITS.person);
        check(h.note, `${p}.humans.${k}.note`, "The note", TEXT_LIMITS.note);
      });
      if (r.adjudication) {
        check(r.adjudication.adjudicator, `${p}.adjudication.adjudicator`, "The adjudicator", TEXT_LIMITS.person);
        check(r.adjudication.note, `${p}.adjudication.note`, "The adjudication note", TEXT_LIMITS.note);
      }
    });
    return out;
  }

  /** Whether a canonical key names a subcategory the import can use (existing, or to be created). */
  knows(key: string): boolean {
    return this.taxonomy.keys.has(key) || this.newKeys.has(key);
  }

  /** Every column the mapping reads, with the mapping path that reads it (to check against a CSV header). */
  columns(): { column: string; path: string }[] {
    const out: { column: string; path: string }[] = [];
    const add = (s: { column?: string } | undefined, path: string) => s?.column !== undefined && out.push({ column: s.column, path });
    const m = this.mapping;
    add(m.dataset, "dataset");
    add(m.prompt.id, "prompt.id");
    add(m.prompt.text, "prompt.text");
    add(m.prompt.category, "prompt.category");
    add(m.prompt.subcategory, "prompt.subcategory");
    add(m.prompt.expectation, "prompt.expectation");
    m.responses.forEach((r, i) => {
      const p = `responses.${i}`;
      add(r.text, `${p}.text`);
      add(r.model, `${p}.model`);
      add(r.run, `${p}.run`);
      r.judges.forEach((j, k) => {
        add(j.name, `${p}.judges.${k}.name`);
        add(j.version, `${p}.judges.${k}.version`);
        add(j.verdict, `${p}.judges.${k}.verdict`);
        add(j.rationale, `${p}.judges.${k}.rationale`);
      });
      r.humans.forEach((h, k) => {
        add(h.annotator, `${p}.humans.${k}.annotator`);
        add(h.verdict, `${p}.humans.${k}.verdict`);
        add(h.note, `${p}.humans.${k}.note`);
      });
      if (r.adjudication) {
        add(r.adjudication.adjudicator, `${p}.adjudication.adjudicator`);
        add(r.adjudication.verdict, `${p}.adjudication.verdict`);
        add(r.adjudication.reason, `${p}.adjudication.reason`);
        add(r.adjudication.note, `${p}.adjudication.note`);
      }
    });
    return out;
  }

  /** Columns whose distinct values the validation report lists (for the value-mapping table). */
  valueColumns(): string[] {
    const cols = new Set<string>();
    if (this.mapping.prompt.expectation.column) cols.add(this.mapping.prompt.expectation.column);
    for (const s of this.verdicts.keys()) if (s.column) cols.add(s.column);
    return [...cols];
  }

  /**
   * The record as stored rows, or its problems. Runs once per record in each pass (1,000,000 times for a big
   * file), so it allocates little: the helpers are methods of one RowReader per record, not closures.
   */
  normalize(rec: SourceRecord): NormalizeOutcome {
    const m = this.mapping;
    const rd = new RowReader(rec, m.unescapeFormulas);
    const { problems, unmapped, at } = rd;
    let unknownSubcategory: { key: string; category: string | null; subcategory: string } | null = null;

    // Dataset and prompt.
    const dataset = rd.text(m.dataset);
    if (dataset === null) rd.missing(m.dataset, "dataset", "The dataset", "Fill in the dataset slug, or set one dataset for the whole file in the mapping.");
    else if (/[\u0000-\u001f]/.test(dataset)) {
      problems.push({ code: "bad_value", ...at, field: rd.where(m.dataset, "dataset"), message: `"${dataset.slice(0, 60)}" is not a usable dataset slug`, fix: "Use a short name without line breaks or tabs." });
    } else rd.checkLength(dataset, m.dataset, "The dataset", TEXT_LIMITS.name);
    const promptText = rd.raw(m.prompt.text.column);
    if (promptText === null || promptText.trim() === "") rd.missing(m.prompt.text, "prompt.text", "The prompt text", "Every row needs the prompt it answers; fill it in or remove the row.");
    else rd.checkLength(promptText, m.prompt.text, "The prompt text", TEXT_LIMITS.prompt);
    let externalId: string | null = null;
    if (m.prompt.id.derive === "text-hash") {
      externalId = promptText ? `sha256:${createHash("sha256").update(promptText).digest("hex").slice(0, 16)}` : null;
    } else {
      externalId = rd.text({ column: m.prompt.id.column! });
      if (externalId === null) rd.missing(m.prompt.id, "prompt.id", "The prompt id", "Give every prompt an id (the same id on every row of the same prompt), or derive ids from the prompt text in the mapping.");
      else rd.checkLength(externalId, m.prompt.id, "The prompt id", TEXT_LIMITS.name);
    }

    // Expectation.
    let expectation: Expectation | null = m.prompt.expectation.value ?? null;
    if (m.prompt.expectation.column) {
      const v = rd.raw(m.prompt.expectation.column);
      if (v === null || v.trim() === "") {
        rd.missing(m.prompt.expectation, "prompt.expectation", "The expectation", "Say whether a good model should comply (should_comply) or not (should_not_comply).");
      } else {
        expectation = this.expectationValues.get(valueKey(v)) ?? null;
        if (!expectation) unmapped.push({ field: m.prompt.expectation.column, value: v.trim(), kind: "expectation" });
      }
    }

    // Subcategory: exact key, explicit map, new subcategory; never a guess.
    const category = rd.text(m.prompt.category);
    const sub = rd.text(m.prompt.subcategory);
    if (category !== null) rd.checkLength(category, m.prompt.category!, "The category", TEXT_LIMITS.name);
    if (sub !== null) rd.checkLength(sub, m.prompt.subcategory, "The subcategory", TEXT_LIMITS.name);
    let subcategory: string | null = null;
    if (sub === null) {
      rd.missing(m.prompt.subcategory, "prompt.subcategory", "The subcategory", "Every prompt needs a subcategory of the taxonomy.");
    } else {
      const fileKey = category !== null ? `${category}/${sub}` : sub;
      const mapped = m.subcategoryMap[fileKey];
      if (mapped !== undefined) subcategory = mapped; // targets are checked once, when the mapping is validated
      else if (category !== null && this.knows(fileKey)) subcategory = fileKey;
      else if (category === null) {
        const keys = [...(this.taxonomy.bySlug.get(sub) ?? []), ...[...this.newKeys].filter((k) => k.endsWith(`/${sub}`))];
        if (keys.length === 1) subcategory = keys[0];
      }
      if (subcategory === null) unknownSubcategory = { key: fileKey, category, subcategory: sub };
    }

    // Responses and their labels.
    const responses: NormalizedResponse[] = [];
    let emptyResponses = 0;
    for (let i = 0; i < m.responses.length; i++) {
      const r = m.responses[i];
      const path = `responses.${i}`;
      const body = rd.raw(r.text.column);
      const labelled = r.judges.some((j) => rd.hasLabel(j.verdict)) || r.humans.some((h) => rd.hasLabel(h.verdict)) || (r.adjudication ? rd.hasLabel(r.adjudication.verdict) : false);
      if (body === null || body.trim() === "") {
        emptyResponses++;
        // A fixed verdict (preference presets) describes the response, so without a response it is moot.
        const fromColumns = r.judges.some((j) => j.verdict.column && rd.hasLabel(j.verdict)) || r.humans.some((h) => rd.hasLabel(h.verdict)) || (r.adjudication ? rd.hasLabel(r.adjudication.verdict) : false);
        if (labelled && fromColumns) {
          problems.push({ code: "missing_field", ...at, field: r.text.column, message: "This row has labels but no response text", fix: "Fill in the response the labels are about, or clear the labels." });
        }
        continue;
      }
      rd.checkLength(body, r.text, "The response text", TEXT_LIMITS.response);
      const model = rd.text(r.model);
      const run = rd.text(r.run);
      if (model === null) rd.missing(r.model, `${path}.model`, "The model", "Name the model that wrote the response (a column, or one model for the whole file).");
      else rd.checkLength(model, r.model, "The model", TEXT_LIMITS.name);
      if (run === null) rd.missing(r.run, `${path}.run`, "The run", "Name the run (a column, or one run name for the whole file).");
      else rd.checkLength(run, r.run, "The run", TEXT_LIMITS.name);
      const out: NormalizedResponse = { model: model ?? "", run: run ?? "", text: body, judges: [], humans: [], adjudication: null };
      for (let k = 0; k < r.judges.length; k++) {
        const j = r.judges[k];
        if (!rd.hasLabel(j.verdict)) continue;
        const verdict = this.verdictOf(rd, expectation, j.verdict, `${path}.judges.${k}.verdict`);
        const name = rd.text(j.name);
        const version = rd.text(j.version);
        if (name === null) rd.missing(j.name, `${path}.judges.${k}.name`, "The judge name", "Name the judge whose verdict this is.");
        else rd.checkLength(name, j.name, "The judge name", TEXT_LIMITS.name);
        if (version === null) rd.missing(j.version, `${path}.judges.${k}.version`, "The judge version", "Give the judge's version (any text, e.g. 1).");
        else rd.checkLength(version, j.version, "The judge version", TEXT_LIMITS.name);
        const rationale = rd.exact(j.rationale);
        if (j.rationale) rd.checkLength(rationale, j.rationale, "The rationale", TEXT_LIMITS.rationale);
        if (verdict && name && version) out.judges.push({ name, version, kind: j.kind, verdict, rationale });
      }
      for (let k = 0; k < r.humans.length; k++) {
        const h = r.humans[k];
        if (!rd.hasLabel(h.verdict)) continue;
        const verdict = this.verdictOf(rd, expectation, h.verdict, `${path}.humans.${k}.verdict`);
        const who = rd.text(h.annotator);
        if (who === null) rd.missing(h.annotator, `${path}.humans.${k}.annotator`, "The annotator", "Say who gave this label (e-mail address preferred).");
        else rd.checkLength(who, h.annotator, "The annotator", TEXT_LIMITS.person);
        const note = rd.exact(h.note);
        if (h.note) rd.checkLength(note, h.note, "The note", TEXT_LIMITS.note);
        if (verdict && who) out.humans.push({ annotator: annotatorRef(who), verdict, note });
      }
      const a = r.adjudication;
      if (a && rd.hasLabel(a.verdict)) {
        const verdict = this.verdictOf(rd, expectation, a.verdict, `${path}.adjudication.verdict`);
        const who = rd.text(a.adjudicator);
        if (who === null) rd.missing(a.adjudicator, `${path}.adjudication.adjudicator`, "The adjudicator", "Say who adjudicated (e-mail address preferred).");
        else rd.checkLength(who, a.adjudicator, "The adjudicator", TEXT_LIMITS.person);
        const note = rd.exact(a.note);
        if (a.note) rd.checkLength(note, a.note, "The adjudication note", TEXT_LIMITS.note);
        const reasonText = rd.text(a.reason);
        const reason = reasonText === null ? "none" : (JUDGE_ERROR_REASONS.find((x) => x === reasonText.toLowerCase()) ?? null);
        if (reason === null) {
          problems.push({
            code: "bad_value",
            ...at,
            field: rd.where(a.reason!, `${path}.adjudication.reason`),
            message: `"${reasonText}" is not a judge-error reason`,
            fix: `Use one of: ${JUDGE_ERROR_REASONS.join(", ")} (empty means none).`,
          });
        }
        if (verdict && who && reason) out.adjudication = { adjudicator: annotatorRef(who), verdict, reason, note };
      }
      // Two labels from one annotator on one response would collide on (response, annotator).
      if (out.humans.length > 1) {
        const seen = new Set<string>();
        for (const h of out.humans) {
          if (seen.has(h.annotator)) {
            problems.push({ code: "bad_value", ...at, field: `${path}.humans`, message: `Two label columns give annotator "${h.annotator}" a label on the same response`, fix: "Map each annotator to one column only." });
          }
          seen.add(h.annotator);
        }
      }
      responses.push(out);
    }

    if (problems.length || unmapped.length || unknownSubcategory || !dataset || !externalId || !promptText || !expectation || !subcategory) {
      return { ok: false, problems, unmapped, unknownSubcategory };
    }
    return {
      ok: true,
      row: { ...at, dataset, externalId, text: promptText, subcategory, expectation, responses, emptyResponses },
    };
  }

  /** A label's verdict through its value map; an unmapped value is recorded on the reader. */
  private verdictOf(rd: RowReader, expectation: Expectation | null, s: VerdictSource, field: string): Verdict | null {
    if (s.value) return s.value;
    const cell = rd.raw(s.column!);
    const c = this.verdicts.get(s)!;
    const target = cell === null ? undefined : c.map.get(valueKey(cell));
    // ACCEPTABLE / UNACCEPTABLE need the expectation, whose absence is already reported.
    if ((target === "acceptable" || target === "unacceptable") && !expectation) return null;
    const res = resolveVerdict(cell, c.map, expectation ?? "should_not_comply");
    if (res.kind === "unmapped") rd.unmapped.push({ field: s.column ?? field, value: res.value, kind: "verdict" });
    return res.kind === "verdict" ? res.verdict : null;
  }
}

/** One record as the mapping reads it, and the problems found in it so far. */
class RowReader {
  readonly problems: ImportProblem[] = [];
  readonly unmapped: { field: string; value: string; kind: "verdict" | "expectation" }[] = [];
  readonly at: { line: number; row: number };

  constructor(
    private readonly rec: SourceRecord,
    private readonly unescapeFormulas: boolean,
  ) {
    this.at = { line: rec.line, row: rec.row };
  }

  raw(column: string): string | null {
    const v = this.rec.values[column];
    if (v === undefined || v === null) return null;
    return this.unescapeFormulas ? unneutraliseFormula(v) : v;
  }

  /** A trimmed value, or null when empty. */
  text(s: FieldSource | undefined): string | null {
    if (!s) return null;
    const v = s.value ?? this.raw(s.column!);
    if (v === null) return null;
    const t = v.trim();
    return t === "" ? null : t;
  }

  /** Free text (rationale, note) exactly as written; empty when absent. */
  exact(s: FieldSource | undefined): string {
    return s ? (s.value ?? this.raw(s.column!) ?? "") : "";
  }

  where(s: FieldSource | { column?: string }, path: string): string {
    return s.column !== undefined ? s.column : path;
  }

  /**
   * Reports a value read from a column that is longer than its field allows. A fixed value of the mapping is
   * checked once for the whole file instead (RowNormalizer.fixedValueProblems).
   */
  checkLength(value: string, s: FieldSource | { column?: string }, what: string, max: number) {
    if (value.length > max && s.column !== undefined) this.problems.push({ ...tooLong(s.column, what, value.length, max), ...this.at });
  }

  missing(s: FieldSource | { column?: string }, path: string, what: string, fix: string) {
    this.problems.push({ code: "missing_field", ...this.at, field: this.where(s, path), message: `${what} is empty`, fix });
  }

  hasLabel(s: VerdictSource): boolean {
    if (s.value !== undefined) return true;
    const v = this.raw(s.column!);
    return v !== null && v.trim() !== "";
  }
}

/** How an annotator reference is compared: e-mail addresses case-insensitively, names as written. */
export function annotatorRef(s: string): string {
  const t = s.trim();
  return t.includes("@") ? t.toLowerCase() : t;
}

/** A value longer than its field allows, at `field` (a column, or the mapping path of a fixed value). */
function tooLong(field: string, what: string, length: number, max: number): ImportProblem {
  return {
    code: "too_long",
    field,
    message: `${what} is too long: ${tooLongMessage(length, max)}`,
    fix: "Shorten it, or leave this row out of the file.",
  };
}
