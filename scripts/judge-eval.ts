// Measures the offline heuristic judge against CoCoNot responses with known or hand-audited compliance.
//
//   npx tsx scripts/judge-eval.ts [--split dev|holdout|all] [--show-errors] [--errors N]
//
// Gold labels (see lib/judges/eval.ts for how verdicts are scored):
//   preference pairs, raw gold (coconot_pref.jsonl)    chosen → complied, rejected → noncompliant
//   reference responses, original set (should not comply, coconot_eval_with_reference_responses…) → noncompliant
//   reference responses, contrast set (should comply, coconot_contrast_eval_with_reference_responses…) → complied
//   audited preference sample (prisma/data/audit/pref-audit.jsonl): 150 pairs drawn by drawAuditSample(), each
//     response hand-labelled complied / noncompliant / partial (README.md beside it). Reported per half: "dev"
//     (the half the rules were tuned on) and "held out" (never used for tuning).
// Records with an empty response are skipped and counted. --split keeps a deterministic half of the prompts
// (halfOf(id), FNV-1a of the id; both responses of a preference pair stay together) in every section; errors
// are listed only for the selected half, so tune with `--split dev --show-errors` and leave the held-out half
// unread.
//
// Why the audit: the raw preference gold is noisy. The pairs answer CoCoNot's *contrast* prompts (requests that
// should be complied with); `rejected` is an open model's answer picked as noncompliant by an automatic filter,
// and about half of those responses simply answer the question (the audit section prints the raw gold's own
// accuracy against the audit). A judge that reads the response cannot reach 95% on the raw gold; fitting it would
// mean learning model style (GPT-4 vs Llama-2), not compliance.
import { readFileSync } from "node:fs";
import path from "node:path";
import { coconotPrefRecordSchema, coconotRecordSchema, parseJsonl, responseText, type CoconotPrefRecord } from "../lib/datasets/coconot";
import {
  AUDIT_SAMPLE,
  AUDIT_VERDICTS,
  VERDICTS,
  auditRecordSchema,
  cohenKappa,
  decisionOf,
  drawAuditSample,
  exactAgreement,
  goldOfAudit,
  halfOf,
  summarize,
  summarizeBy,
  type AgreementSummary,
  type AuditRecord,
  type AuditVerdict,
  type GoldLabel,
  type Half,
} from "../lib/judges/eval";
import { HEURISTIC_JUDGE, judgeHeuristic } from "../lib/judges/heuristic";
import type { JudgeResult, Verdict } from "../lib/judges/schema";

const DATA_DIR = path.join(import.meta.dirname, "..", "prisma", "data", "coconot");
const AUDIT_FILE = path.join(import.meta.dirname, "..", "prisma", "data", "audit", "pref-audit.jsonl");
/** The same 300 responses labelled again, blind, by a second labeller (prisma/data/audit/README.md). */
const SECOND_AUDIT_FILE = path.join(import.meta.dirname, "..", "prisma", "data", "audit", "pref-audit-second.jsonl");
const FILES = {
  pref: "coconot_pref.jsonl",
  original: "coconot_eval_with_reference_responses.3206be6.jsonl",
  contrast: "coconot_contrast_eval_with_reference_responses.3206be6.jsonl",
} as const;

type Split = Half | "all";

function parseArgs(argv: string[]): { split: Split; showErrors: boolean; errors: number } {
  let split: Split = "all";
  let showErrors = false;
  let errors = 12;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--split") {
      const v = argv[++i];
      if (v !== "dev" && v !== "holdout" && v !== "all") throw new Error(`--split must be dev, holdout or all (got "${v ?? ""}")`);
      split = v;
    } else if (a.startsWith("--split=")) {
      return parseArgs([...argv.slice(0, i), "--split", a.slice(8), ...argv.slice(i + 1)]);
    } else if (a === "--show-errors") showErrors = true;
    else if (a === "--errors") {
      errors = Number(argv[++i]);
      if (!Number.isInteger(errors) || errors < 0) throw new Error("--errors must be a non-negative integer");
      showErrors = true;
    } else if (a === "--help" || a === "-h") {
      console.log("usage: npx tsx scripts/judge-eval.ts [--split dev|holdout|all] [--show-errors] [--errors N]");
      process.exit(0);
    } else throw new Error(`unknown argument "${a}" (try --help)`);
  }
  return { split, showErrors, errors };
}

const inSplit = (id: string, split: Split) => split === "all" || halfOf(id) === split;

interface Item {
  id: string;
  source: string;
  category: string;
  subcategory: string;
  prompt: string;
  response: string;
  gold: GoldLabel;
  /** Set for audited items: the hand label (gold is its binary collapse) and the raw gold it replaces. */
  audit?: { verdict: AuditVerdict; reason: string; raw: GoldLabel; half: Half };
}

interface Judged extends Item {
  predicted: Verdict;
  result: JudgeResult;
}

const read = (f: string) => readFileSync(path.join(DATA_DIR, f), "utf8");

function loadPref(): CoconotPrefRecord[] {
  return parseJsonl(FILES.pref, read(FILES.pref), coconotPrefRecordSchema).map((x) => x.record);
}

function loadRaw(pref: CoconotPrefRecord[], split: Split): { sets: Map<string, Item[]>; skipped: string[] } {
  const skipped: string[] = [];
  const prefItems: Item[] = [];
  for (const r of pref) {
    if (!inSplit(r.id, split)) continue;
    const base = { id: r.id, category: r.category, subcategory: r.subcategory, prompt: r.prompt };
    for (const [text, gold, source] of [
      [r.chosen, "complied", "pref:chosen"],
      [r.rejected, "noncompliant", "pref:rejected"],
    ] as const) {
      const response = responseText(text);
      if (response === null) skipped.push(`${FILES.pref} ${r.id} (${source})`);
      else prefItems.push({ ...base, source, response, gold });
    }
  }
  const reference: Item[] = [];
  for (const [file, gold, source] of [
    [FILES.original, "noncompliant", "original"],
    [FILES.contrast, "complied", "contrast"],
  ] as const) {
    for (const { record: r } of parseJsonl(file, read(file), coconotRecordSchema)) {
      if (!inSplit(r.id, split)) continue;
      const response = responseText(r.response);
      if (response === null) {
        skipped.push(`${file} ${r.id}`);
        continue;
      }
      reference.push({ id: r.id, source, category: r.category, subcategory: r.subcategory, prompt: r.prompt, response, gold });
    }
  }
  return {
    sets: new Map([
      ["preference pairs, raw gold (chosen = complied, rejected = noncompliant)", prefItems],
      ["reference responses (original = noncompliant, contrast = complied)", reference],
    ]),
    skipped,
  };
}

/**
 * The audited sample, checked against the seeded draw: the file must label exactly the drawn pairs, both
 * responses each, so a sample cannot be trimmed or extended by hand without this failing.
 */
function loadAudit(pref: CoconotPrefRecord[], file = AUDIT_FILE): Item[] {
  const name = path.relative(process.cwd(), file);
  const records: AuditRecord[] = parseJsonl(name, readFileSync(file, "utf8"), auditRecordSchema).map((x) => x.record);
  const drawn = drawAuditSample(pref, AUDIT_SAMPLE);
  const expected = new Set(drawn.flatMap((d) => [`${d.id}/chosen`, `${d.id}/rejected`]));
  const got = new Set(records.map((r) => `${r.id}/${r.which}`));
  const missing = [...expected].filter((k) => !got.has(k));
  const extra = [...got].filter((k) => !expected.has(k));
  if (missing.length || extra.length || got.size !== records.length) {
    throw new Error(
      `${path.basename(file)} does not match the seeded sample (${JSON.stringify(AUDIT_SAMPLE)}): ` +
        `${missing.length} drawn response(s) unlabelled (e.g. ${missing.slice(0, 3).join(", ") || "none"}), ` +
        `${extra.length} labelled response(s) not drawn (e.g. ${extra.slice(0, 3).join(", ") || "none"}), ` +
        `${records.length - got.size} duplicate(s). Relabel the drawn sample or restore the file.`,
    );
  }
  const byId = new Map(pref.map((r) => [r.id, r]));
  return records.map((a) => {
    const r = byId.get(a.id)!;
    const raw: GoldLabel = a.which === "chosen" ? "complied" : "noncompliant";
    return {
      id: r.id,
      source: `pref:${a.which}`,
      category: r.category,
      subcategory: r.subcategory,
      prompt: r.prompt,
      response: r[a.which],
      gold: goldOfAudit(a.verdict),
      audit: { verdict: a.verdict, reason: a.reason, raw, half: halfOf(r.id) },
    };
  });
}

const pct = (x: number | null) => (x === null ? "   –  " : `${(100 * x).toFixed(1).padStart(5)}%`);
const num = (x: number | null) => (x === null ? "   –  " : x.toFixed(3).padStart(6));
const WIDTH = 34;
const HEADER = ["group".padEnd(WIDTH), "    n", "   acc", "     κ", " P(nc)", " R(nc)", "F1(nc)", "partial", "unclear"].join("  ");

function row(label: string, s: AgreementSummary): string {
  // κ needs both gold classes; within a one-class group it is 0 or undefined by construction, so it is not shown.
  const { tp, fp, fn, tn } = s.noncompliant;
  const bothClasses = tp + fn > 0 && fp + tn > 0;
  return [
    label.padEnd(WIDTH),
    String(s.n).padStart(5),
    pct(s.accuracy),
    bothClasses ? num(s.kappa) : "   –  ",
    pct(s.noncompliant.precision),
    pct(s.noncompliant.recall),
    pct(s.noncompliant.f1),
    String(s.predicted.partial).padStart(7),
    String(s.predicted.unclear).padStart(7),
  ].join("  ");
}

function printTable(title: string, judged: readonly Judged[]): void {
  console.log(`\n## ${title}`);
  console.log(HEADER);
  console.log(row("ALL", summarize(judged)));
  for (const [k, s] of summarizeBy(judged, (j) => j.category)) console.log(row(`  ${k}`, s));
  for (const [k, s] of summarizeBy(judged, (j) => `gold ${j.gold}`)) console.log(row(`  ${k}`, s));
}

/** Audit verdict × judge verdict, and the share of exact (three-way) matches. */
function printAuditConfusion(judged: readonly Judged[]): void {
  const exact = exactAgreement(judged.map((j) => ({ audit: j.audit!.verdict, predicted: j.predicted })));
  console.log(`  three-way: audit verdict (rows) × judge verdict (columns); exact agreement ${pct(exact).trim()}`);
  console.log(`    ${"".padEnd(14)}${VERDICTS.map((v) => v.padStart(13)).join("")}`);
  for (const a of AUDIT_VERDICTS) {
    const cells = VERDICTS.map((v) => String(judged.filter((j) => j.audit!.verdict === a && j.predicted === v).length).padStart(13));
    console.log(`    ${a.padEnd(14)}${cells.join("")}`);
  }
}

function truncate(s: string, n: number): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

function printErrors(judged: readonly Judged[], limit: number): void {
  const bySub = summarizeBy(judged, (j) => `${j.subcategory} / gold ${j.gold}`);
  const worst = [...bySub]
    .filter(([, s]) => s.correct < s.n)
    .sort((a, b) => (a[1].accuracy ?? 0) - (b[1].accuracy ?? 0));
  console.log("\n  worst subcategories (by accuracy):");
  for (const [k, s] of worst.slice(0, 10)) {
    console.log(`    ${pct(s.accuracy)}  ${String(s.n - s.correct).padStart(3)} wrong of ${String(s.n).padEnd(4)} ${k}`);
  }
  const wrong = judged.filter((j) => decisionOf(j.predicted) !== j.gold);
  // Spread the examples over subcategories instead of showing the first N of one.
  const shown: Judged[] = [];
  const seen = new Map<string, number>();
  for (let round = 0; shown.length < limit && round < limit; round++) {
    for (const j of wrong) {
      const k = `${j.subcategory}/${j.gold}`;
      if ((seen.get(k) ?? 0) !== round || shown.includes(j)) continue;
      seen.set(k, round + 1);
      shown.push(j);
      if (shown.length >= limit) break;
    }
  }
  console.log(`\n  ${wrong.length} misclassified; ${shown.length} shown:`);
  for (const j of shown) {
    const audit = j.audit ? ` (audit: ${j.audit.verdict}, ${j.audit.reason})` : "";
    console.log(`  - [${j.id} ${j.source} | ${j.subcategory}] gold ${j.gold}, judged ${j.predicted}${audit}`);
    console.log(`      prompt:    ${truncate(j.prompt, 140)}`);
    console.log(`      response:  ${truncate(j.response, 320)}`);
    console.log(`      rationale: ${truncate(j.result.rationale, 220)}`);
  }
}

function judgeAll(items: readonly Item[]): Judged[] {
  return items.map((it) => {
    const result = judgeHeuristic({ prompt: it.prompt, response: it.response, category: it.category, subcategory: it.subcategory });
    return { ...it, predicted: result.verdict, result };
  });
}

let args: ReturnType<typeof parseArgs>;
try {
  args = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const pref = loadPref();
const { sets, skipped } = loadRaw(pref, args.split);
let audited: Item[];
let second: Item[];
try {
  audited = loadAudit(pref);
  second = loadAudit(pref, SECOND_AUDIT_FILE);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
console.log(`judge ${HEURISTIC_JUDGE.name} ${HEURISTIC_JUDGE.version} | split ${args.split}`);
const skippedByFile = new Map<string, number>();
for (const s of skipped) skippedByFile.set(s.split(" ")[0], (skippedByFile.get(s.split(" ")[0]) ?? 0) + 1);
const skippedDetail = [...skippedByFile].map(([f, n]) => `${n} in ${f}`).join(", ");
console.log(`skipped ${skipped.length} record(s) with an empty response${skipped.length ? ` (${skippedDetail})` : ""}`);
console.log("acc = share of items where the verdict (partial → noncompliant, unclear → wrong) matches gold;");
console.log("P/R/F1(nc) = precision/recall/F1 of 'noncompliant incl. partial'; κ = Cohen's κ over complied/noncompliant/unclear");
console.log("(κ is shown only for groups that contain both gold classes).");

for (const [title, items] of sets) {
  const judged = judgeAll(items);
  printTable(title, judged);
  if (args.showErrors) printErrors(judged, args.errors);
}

// The audited sample: first how good the raw gold itself is, then the judge against the audit, per half.
const halves = (["dev", "holdout"] as const).filter((h) => args.split === "all" || args.split === h);
const halfName = (h: Half) => (h === "dev" ? "dev half (rules tuned here)" : "held-out half (never tuned on)");
console.log("\n## audited preference sample: the raw gold (chosen = complied, rejected = noncompliant) scored against the audit");
console.log(HEADER);
for (const h of halves) {
  const items = audited.filter((a) => a.audit!.half === h);
  console.log(row(halfName(h), summarize(items.map((a) => ({ gold: a.gold, predicted: a.audit!.raw })))));
  for (const which of ["chosen", "rejected"] as const) {
    const part = items.filter((a) => a.source === `pref:${which}`);
    const counts = AUDIT_VERDICTS.map((v) => `${part.filter((a) => a.audit!.verdict === v).length} ${v}`).join(", ");
    console.log(`    ${which.padEnd(9)} responses by audit verdict: ${counts}`);
  }
}
for (const h of halves) {
  const judged = judgeAll(audited.filter((a) => a.audit!.half === h));
  printTable(`audited preference sample, ${halfName(h)}: judge vs audit (partial counts as noncompliant)`, judged);
  for (const [k, s] of summarizeBy(judged, (j) => `raw ${j.source.replace("pref:", "")}`)) console.log(row(`  ${k}`, s));
  printAuditConfusion(judged);
  if (args.showErrors) printErrors(judged, args.errors);
}

// The second labeller: how far two careful labellers agree, and the judge against each and against the items
// both label alike (binary). Same halves as above.
console.log("\n## audited preference sample, second labeller (shown neither the first labels, nor the judge, nor which side of its pair a response is)");
const key = (i: Item) => `${i.id}/${i.source}`;
const secondBy = new Map(second.map((i) => [key(i), i]));
const both = audited.map((a) => ({ first: a, second: secondBy.get(key(a))! }));
const V3 = AUDIT_VERDICTS;
const table3 = V3.map((x) => V3.map((y) => both.filter((b) => b.first.audit!.verdict === x && b.second.audit!.verdict === y).length));
const G = ["complied", "noncompliant"] as const;
const table2 = G.map((x) => G.map((y) => both.filter((b) => b.first.gold === x && b.second.gold === y).length));
const exactBoth = both.filter((b) => b.first.audit!.verdict === b.second.audit!.verdict).length;
console.log(`  labeller × labeller, three-way: ${exactBoth} / ${both.length} alike, Cohen's κ ${num(cohenKappa(table3)).trim()}; binary (partial → noncompliant): ${table2[0][0] + table2[1][1]} / ${both.length} alike, κ ${num(cohenKappa(table2)).trim()}`);
console.log(HEADER);
for (const h of halves) {
  const items = second.filter((a) => a.audit!.half === h);
  console.log(row(`raw gold vs second, ${h}`, summarize(items.map((a) => ({ gold: a.gold, predicted: a.audit!.raw })))));
  console.log(row(`judge vs second, ${h}`, summarize(judgeAll(items).map((j) => ({ gold: j.gold, predicted: j.predicted })))));
  const agreed = both.filter((b) => b.first.audit!.half === h && b.first.gold === b.second.gold).map((b) => b.first);
  console.log(row(`judge vs both (alike), ${h}`, summarize(judgeAll(agreed).map((j) => ({ gold: j.gold, predicted: j.predicted })))));
}
