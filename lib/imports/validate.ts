// The validation pass: reads every record, normalises it through the mapping, and collects ALL problems (up
// to a cap, with the total counted) before anything is written. Pure over parse events and a snapshot of
// reference data (taxonomy keys, users, existing datasets / runs / judges), so it is unit-tested in memory.
//
// Memory: per-row state is not kept. What is kept is bounded: the distinct datasets, runs, judges and people
// (capped, see LIMITS; more is almost always a wrong column), distinct values per label column (capped), and
// problems (capped). A 1,000,000-row file validates in constant memory.
import { RowNormalizer, type NormalizedRow, type TaxonomyIndex } from "./normalize";
import type { ParseEvent } from "./parse";
import type { ImportMapping, ImportPermissions, ImportProblem } from "./schema";
import { resolveUsers, type KnownUser, type UserResolution } from "./users";
import { suggestExpectation, suggestVerdictTarget } from "./values";

export const LIMITS = { datasets: 1_000, runs: 10_000, judges: 1_000, users: 10_000, unmapped: 1_000, unknownSubcategories: 1_000 } as const;

/** Reference data the validation compares against, read before the pass (lib/imports/data.ts). */
export interface ImportContext {
  taxonomy: TaxonomyIndex;
  users: readonly KnownUser[];
  datasets: ReadonlySet<string>;
  /** `${model}\u0000${run}` */
  runs: ReadonlySet<string>;
  /** `${name}\u0000${version}` */
  judges: ReadonlySet<string>;
}

export interface ValidationReport {
  ok: boolean;
  /** At most maxProblems, file order, the once-per-value problems (unknown subcategory, unmapped value) first. */
  problems: ImportProblem[];
  /** All problems, including those beyond the cap. */
  problemCount: number;
  /** Data records read (JSONL lines with content, CSV rows after the header). */
  records: number;
  /** Records without problems. */
  validRecords: number;
  /** Responses with text (one record may carry several, e.g. preference pairs). */
  responses: number;
  /** Responses the mapping names but whose text is empty: skipped (the prompt is still imported). */
  emptyResponses: number;
  bytes: number;
  sha256: string;
  /** CSV: the header. JSONL: every key seen. */
  columns: string[];
  datasets: { slug: string; exists: boolean }[];
  runs: { model: string; run: string; exists: boolean }[];
  judges: { name: string; version: string; exists: boolean }[];
  /** Annotators and adjudicators named in the file, and what happens to each. */
  people: { ref: string; email: string | null; status: "existing" | "create" | "ambiguous" | "unknown" }[];
  unknownSubcategories: { key: string; category: string | null; subcategory: string; rows: number; firstLine: number; suggestions: string[] }[];
  /** Distinct values of each label and expectation column with their counts (at most 50 per column). */
  values: Record<string, { value: string; count: number }[]>;
}

interface Aggregate {
  line: number;
  row: number;
  count: number;
}

export class Validator {
  private readonly normalizer: RowNormalizer;
  private readonly rowProblems: ImportProblem[] = [];
  private rowProblemCount = 0;
  private readonly setup: ImportProblem[] = [];
  private readonly unmapped = new Map<string, Aggregate & { field: string; value: string; kind: "verdict" | "expectation" }>();
  private readonly unknownSubs = new Map<string, Aggregate & { key: string; category: string | null; subcategory: string }>();
  private readonly datasets = new Set<string>();
  private readonly runs = new Set<string>();
  private readonly judges = new Set<string>();
  private readonly judgeKinds = new Map<string, "imported" | "reference">();
  private readonly people = new Set<string>();
  private readonly valueCounts = new Map<string, Map<string, number>>();
  private readonly seenColumns = new Set<string>();
  private readonly overflow = new Set<string>();
  private header: string[] | null = null;
  records = 0;
  validRecords = 0;
  responses = 0;
  emptyResponses = 0;

  constructor(
    readonly mapping: ImportMapping,
    private readonly ctx: ImportContext,
    private readonly permissions: ImportPermissions,
    private readonly maxProblems: number,
  ) {
    this.normalizer = new RowNormalizer(mapping, ctx.taxonomy);
    for (const c of this.normalizer.valueColumns()) this.valueCounts.set(c, new Map());
    this.checkMapping();
  }

  get normalizerForWrite(): RowNormalizer {
    return this.normalizer;
  }

  /** Problems of the mapping itself, independent of the rows. */
  private checkMapping() {
    const m = this.mapping;
    this.setup.push(...this.normalizer.fixedValueProblems());
    for (const [from, to] of Object.entries(m.subcategoryMap)) {
      if (!this.normalizer.knows(to)) {
        this.setup.push({
          code: "mapping",
          field: `subcategoryMap["${from}"]`,
          message: `"${from}" is mapped to "${to}", which is not a subcategory of the taxonomy`,
          fix: 'Map it to an existing "category/subcategory" (as on the Taxonomy page), or add that subcategory under createSubcategories.',
        });
      }
    }
    if (m.createSubcategories.length && !this.permissions.createSubcategories) {
      this.setup.push({
        code: "permission",
        field: "createSubcategories",
        message: `The mapping adds ${m.createSubcategories.length} subcategor${m.createSubcategories.length === 1 ? "y" : "ies"} to the taxonomy, which only an admin may do`,
        fix: "Map the file's subcategories onto existing ones instead, or ask an admin to run the import.",
      });
    }
  }

  /** Call once with the CSV header (JSONL files have none). */
  columns(columns: string[], duplicates: string[]) {
    this.header = columns;
    const used = this.normalizer.columns();
    const have = new Set(columns);
    for (const { column, path } of used) {
      if (!have.has(column)) {
        this.setup.push({
          code: "header",
          row: 1,
          line: 1,
          field: path,
          message: `The mapping reads column "${column}" (${path}), which the file does not have`,
          fix: `Pick one of the file's columns: ${columns.slice(0, 30).map((c) => `"${c}"`).join(", ")}${columns.length > 30 ? ", …" : ""}.`,
        });
      }
      if (duplicates.includes(column)) {
        this.setup.push({
          code: "header",
          row: 1,
          line: 1,
          field: path,
          message: `The header has more than one column named "${column}", so the mapping is ambiguous`,
          fix: "Rename the duplicate columns in the file so that every mapped column has a unique name.",
        });
      }
    }
  }

  private rowProblem(p: ImportProblem) {
    this.rowProblemCount++;
    if (this.rowProblems.length < this.maxProblems) this.rowProblems.push(p);
  }

  private addDistinct(set: Set<string>, key: string, limit: number, what: string, fix: string) {
    if (set.has(key)) return;
    if (set.size >= limit) {
      if (!this.overflow.has(what)) {
        this.overflow.add(what);
        this.setup.push({ code: "too_many", message: `The file names more than ${limit.toLocaleString("en")} distinct ${what}`, fix });
      }
      return;
    }
    set.add(key);
  }

  /** Feeds one parse event; returns the normalised row when the event is a record without problems. */
  add(ev: ParseEvent): NormalizedRow | null {
    if (ev.kind === "columns") {
      this.columns(ev.columns, ev.duplicates);
      return null;
    }
    if (ev.kind === "problem") {
      this.records++;
      this.rowProblem(ev.problem);
      return null;
    }
    this.records++;
    if (!this.header) for (const k of Object.keys(ev.values)) this.seenColumns.add(k);
    for (const [col, counts] of this.valueCounts) {
      const v = ev.values[col];
      if (v === null || v === undefined || v.trim() === "") continue;
      const k = v.trim();
      if (counts.has(k)) counts.set(k, counts.get(k)! + 1);
      else if (counts.size < 50) counts.set(k, 1);
    }
    const out = this.normalizer.normalize(ev);
    if (!out.ok) {
      for (const p of out.problems) this.rowProblem(p);
      for (const u of out.unmapped) {
        const key = `${u.field}\u0000${u.value}`;
        const a = this.unmapped.get(key);
        if (a) a.count++;
        else if (this.unmapped.size < LIMITS.unmapped) this.unmapped.set(key, { ...u, line: ev.line, row: ev.row, count: 1 });
      }
      const s = out.unknownSubcategory;
      if (s) {
        const a = this.unknownSubs.get(s.key);
        if (a) a.count++;
        else if (this.unknownSubs.size < LIMITS.unknownSubcategories) this.unknownSubs.set(s.key, { ...s, line: ev.line, row: ev.row, count: 1 });
      }
      return null;
    }
    const row = out.row;
    this.validRecords++;
    this.emptyResponses += row.emptyResponses;
    this.responses += row.responses.length;
    this.addDistinct(this.datasets, row.dataset, LIMITS.datasets, "datasets", "Check that the dataset column is mapped to the right column.");
    for (const r of row.responses) {
      this.addDistinct(this.runs, `${r.model}\u0000${r.run}`, LIMITS.runs, "runs (model × run name)", "Check the model and run columns; split the file if it really holds that many runs.");
      for (const j of r.judges) {
        const key = `${j.name}\u0000${j.version}`;
        this.addDistinct(this.judges, key, LIMITS.judges, "judge versions", "Check the judge name and version columns.");
        if (!this.judgeKinds.has(key)) this.judgeKinds.set(key, j.kind);
      }
      for (const h of r.humans) this.addDistinct(this.people, h.annotator, LIMITS.users, "annotators", "Check the annotator columns.");
      if (r.adjudication) this.addDistinct(this.people, r.adjudication.adjudicator, LIMITS.users, "annotators", "Check the adjudicator column.");
    }
    return row;
  }

  /** What the write pass must find or create before rows can be written. */
  plan(): { datasets: string[]; runs: { model: string; run: string }[]; judges: { name: string; version: string; kind: "imported" | "reference" }[] } {
    return {
      datasets: [...this.datasets],
      runs: [...this.runs].map((k) => {
        const [model, run] = k.split("\u0000");
        return { model, run };
      }),
      judges: [...this.judges].map((k) => {
        const [name, version] = k.split("\u0000");
        return { name, version, kind: this.judgeKinds.get(k) ?? "imported" };
      }),
    };
  }

  /** The report, with the once-per-value problems and the people check added. */
  finish(bytes: number, sha256: string): { report: ValidationReport; users: Map<string, UserResolution> } {
    const aggregated: ImportProblem[] = [];
    for (const u of this.unmapped.values()) {
      const suggestion = u.kind === "verdict" ? suggestVerdictTarget(u.value, u.field) : suggestExpectation(u.value);
      aggregated.push({
        code: "unmapped_value",
        line: u.line,
        row: u.row,
        field: u.field,
        count: u.count,
        message: `Value "${u.value.slice(0, 80)}" in column "${u.field}" has no ${u.kind === "verdict" ? "verdict" : "expectation"} in the value mapping (${u.count.toLocaleString("en")} row${u.count === 1 ? "" : "s"})`,
        fix:
          u.kind === "verdict"
            ? `Map it to complied, noncompliant, partial, unclear, acceptable, unacceptable or skip${suggestion ? ` (suggested: ${suggestion})` : ""}.`
            : `Map it to should_comply or should_not_comply${suggestion ? ` (suggested: ${suggestion})` : ""}.`,
      });
    }
    const unknownSubcategories: ValidationReport["unknownSubcategories"] = [];
    for (const s of this.unknownSubs.values()) {
      const lower = s.subcategory.toLowerCase();
      const suggestions = [...this.ctx.taxonomy.keys].filter((k) => k.slice(k.indexOf("/") + 1).toLowerCase() === lower).sort();
      unknownSubcategories.push({ key: s.key, category: s.category, subcategory: s.subcategory, rows: s.count, firstLine: s.line, suggestions });
      const ambiguous = s.category === null && (this.ctx.taxonomy.bySlug.get(s.subcategory)?.length ?? 0) > 1;
      aggregated.push({
        code: "unknown_subcategory",
        line: s.line,
        row: s.row,
        field: this.mapping.prompt.subcategory.column ?? "prompt.subcategory",
        count: s.count,
        message: ambiguous
          ? `Subcategory "${s.subcategory}" exists under several categories and the file gives none (${s.count.toLocaleString("en")} rows)`
          : `Subcategory "${s.key}" is not in the taxonomy (${s.count.toLocaleString("en")} row${s.count === 1 ? "" : "s"})`,
        fix:
          `Map "${s.key}" onto an existing subcategory in the mapping (subcategoryMap)` +
          (suggestions.length ? `, e.g. "${suggestions[0]}"` : "") +
          ", or ask an admin to add it as a new subcategory. Subcategories are never guessed.",
      });
    }
    const users = resolveUsers(this.people, this.ctx.users);
    const people: ValidationReport["people"] = [];
    for (const r of users.values()) {
      if (r.kind === "existing") people.push({ ref: r.ref, email: r.email, status: "existing" });
      else if (r.kind === "ambiguous") {
        people.push({ ref: r.ref, email: null, status: "ambiguous" });
        aggregated.push({
          code: "unknown_user",
          field: "annotator",
          message: `"${r.ref}" matches several users (${r.emails.join(", ")})`,
          fix: "Name annotators by e-mail address in the file.",
        });
      } else if (this.permissions.createAnnotators) people.push({ ref: r.ref, email: r.email, status: "create" });
      else {
        people.push({ ref: r.ref, email: null, status: "unknown" });
        aggregated.push({
          code: "unknown_user",
          field: "annotator",
          message: `There is no user "${r.ref}"`,
          fix: "Create the account first (Users page), or let the import create it as an inactive annotator.",
        });
      }
    }
    if (!this.header && this.records > 0) {
      // JSONL: a mapped column that no record has is almost certainly a typo in the mapping.
      for (const { column, path } of this.normalizer.columns()) {
        if (!this.seenColumns.has(column)) {
          aggregated.push({
            code: "header",
            field: path,
            message: `The mapping reads key "${column}" (${path}), which no record in the file has`,
            fix: `Pick one of the file's keys: ${[...this.seenColumns].slice(0, 30).map((c) => `"${c}"`).join(", ")}.`,
          });
        }
      }
    }
    if (this.records === 0 && this.setup.length === 0) {
      aggregated.push({ code: "missing_field", message: "The file has no records", fix: "Upload a file with at least one row after the header (CSV/TSV) or one JSON object (JSONL)." });
    }
    const byLine = (a: ImportProblem, b: ImportProblem) => (a.line ?? 0) - (b.line ?? 0);
    const head = [...this.setup, ...aggregated.sort(byLine)];
    const problems = [...head, ...this.rowProblems].slice(0, this.maxProblems);
    const values: ValidationReport["values"] = {};
    for (const [col, counts] of this.valueCounts) values[col] = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count);
    const problemCount = head.length + this.rowProblemCount;
    const report: ValidationReport = {
      ok: problemCount === 0,
      problems,
      problemCount,
      records: this.records,
      validRecords: this.validRecords,
      responses: this.responses,
      emptyResponses: this.emptyResponses,
      bytes,
      sha256,
      columns: this.header ?? [...this.seenColumns],
      datasets: [...this.datasets].sort().map((slug) => ({ slug, exists: this.ctx.datasets.has(slug) })),
      runs: [...this.runs].sort().map((k) => {
        const [model, run] = k.split("\u0000");
        return { model, run, exists: this.ctx.runs.has(k) };
      }),
      judges: [...this.judges].sort().map((k) => {
        const [name, version] = k.split("\u0000");
        return { name, version, exists: this.ctx.judges.has(k) };
      }),
      people,
      unknownSubcategories,
      values,
    };
    return { report, users };
  }
}
