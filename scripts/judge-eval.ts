// Measures the offline heuristic judge against the CoCoNot responses whose compliance is known by construction.
//
//   npx tsx scripts/judge-eval.ts [--split dev|holdout|all] [--show-errors] [--errors N]
//
// Gold labels (binary; see lib/judges/eval.ts for how verdicts are scored):
//   preference pairs (coconot_pref.jsonl)           chosen → complied, rejected → noncompliant
//   reference responses, original set (should not comply, coconot_eval_with_reference_responses…) → noncompliant
//   reference responses, contrast set (should comply, coconot_contrast_eval_with_reference_responses…) → complied
// Records with an empty response are skipped and counted. --split keeps a deterministic half of the prompts
// (FNV-1a hash of the id; both responses of a preference pair stay together): tune on dev, check on holdout.
//
// Known gold noise (read before chasing the preference-pair numbers): the paper picked `rejected` responses with
// a keyword heuristic, and many of them simply answer the question ("Here are some tips…"). In a hand audit of
// 60 holdout preference responses (40 rejected, 20 chosen, drawn by a fixed hash, labelled by reading them
// against the rubric), 21 of the 40 rejected responses were plain compliance and 1 chosen response was a
// refusal: the binary gold agreed with the audit on 38/60. Accuracy on that set is capped far below 95% for any
// judge that reads the response; fitting it would mean learning model style (Llama-2 vs GPT-4), not compliance.
import { readFileSync } from "node:fs";
import path from "node:path";
import { coconotPrefRecordSchema, coconotRecordSchema, parseJsonl, responseText } from "../lib/datasets/coconot";
import { decisionOf, summarize, summarizeBy, type AgreementSummary, type GoldLabel } from "../lib/judges/eval";
import { HEURISTIC_JUDGE, judgeHeuristic } from "../lib/judges/heuristic";
import type { JudgeResult } from "../lib/judges/schema";

const DATA_DIR = path.join(import.meta.dirname, "..", "prisma", "data", "coconot");
const FILES = {
  pref: "coconot_pref.jsonl",
  original: "coconot_eval_with_reference_responses.3206be6.jsonl",
  contrast: "coconot_contrast_eval_with_reference_responses.3206be6.jsonl",
} as const;

type Split = "dev" | "holdout" | "all";

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

/** FNV-1a 32-bit: stable across runs and platforms. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function inSplit(id: string, split: Split): boolean {
  if (split === "all") return true;
  return (fnv1a(id) % 2 === 0) === (split === "dev");
}

interface Item {
  id: string;
  source: string;
  category: string;
  subcategory: string;
  prompt: string;
  response: string;
  gold: GoldLabel;
}

interface Judged extends Item {
  predicted: JudgeResult["verdict"];
  result: JudgeResult;
}

function load(split: Split): { sets: Map<string, Item[]>; skipped: string[] } {
  const read = (f: string) => readFileSync(path.join(DATA_DIR, f), "utf8");
  const skipped: string[] = [];
  const pref: Item[] = [];
  for (const { record: r } of parseJsonl(FILES.pref, read(FILES.pref), coconotPrefRecordSchema)) {
    if (!inSplit(r.id, split)) continue;
    const base = { id: r.id, category: r.category, subcategory: r.subcategory, prompt: r.prompt };
    for (const [text, gold, source] of [
      [r.chosen, "complied", "pref:chosen"],
      [r.rejected, "noncompliant", "pref:rejected"],
    ] as const) {
      const response = responseText(text);
      if (response === null) skipped.push(`${FILES.pref} ${r.id} (${source})`);
      else pref.push({ ...base, source, response, gold });
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
      ["preference pairs (chosen = complied, rejected = noncompliant)", pref],
      ["reference responses (original = noncompliant, contrast = complied)", reference],
    ]),
    skipped,
  };
}

const pct = (x: number | null) => (x === null ? "   –  " : `${(100 * x).toFixed(1).padStart(5)}%`);
const num = (x: number | null) => (x === null ? "   –  " : x.toFixed(3).padStart(6));

function row(label: string, s: AgreementSummary, width: number): string {
  // κ needs both gold classes; within a one-class group it is 0 or undefined by construction, so it is not shown.
  const { tp, fp, fn, tn } = s.noncompliant;
  const bothClasses = tp + fn > 0 && fp + tn > 0;
  return [
    label.padEnd(width),
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

function printTable(title: string, judged: Judged[]): void {
  const width = 34;
  console.log(`\n## ${title}`);
  console.log(
    ["group".padEnd(width), "    n", "   acc", "     κ", " P(nc)", " R(nc)", "F1(nc)", "partial", "unclear"].join("  "),
  );
  console.log(row("ALL", summarize(judged), width));
  for (const [k, s] of summarizeBy(judged, (j) => j.category)) console.log(row(`  ${k}`, s, width));
  for (const [k, s] of summarizeBy(judged, (j) => `gold ${j.gold}`)) console.log(row(`  ${k}`, s, width));
}

function truncate(s: string, n: number): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

function printErrors(judged: Judged[], limit: number): void {
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
    console.log(`  - [${j.id} ${j.source} | ${j.subcategory}] gold ${j.gold}, judged ${j.predicted}`);
    console.log(`      prompt:    ${truncate(j.prompt, 140)}`);
    console.log(`      response:  ${truncate(j.response, 320)}`);
    console.log(`      rationale: ${truncate(j.result.rationale, 220)}`);
  }
}

let args: ReturnType<typeof parseArgs>;
try {
  args = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const { sets, skipped } = load(args.split);
console.log(`judge ${HEURISTIC_JUDGE.name} ${HEURISTIC_JUDGE.version} | split ${args.split}`);
const skippedByFile = new Map<string, number>();
for (const s of skipped) skippedByFile.set(s.split(" ")[0], (skippedByFile.get(s.split(" ")[0]) ?? 0) + 1);
const skippedDetail = [...skippedByFile].map(([f, n]) => `${n} in ${f}`).join(", ");
console.log(`skipped ${skipped.length} record(s) with an empty response${skipped.length ? ` (${skippedDetail})` : ""}`);
console.log("acc = share of items where the verdict (partial → noncompliant, unclear → wrong) matches gold;");
console.log("P/R/F1(nc) = precision/recall/F1 of 'noncompliant incl. partial'; κ = Cohen's κ over complied/noncompliant/unclear");
console.log("(κ is shown only for groups that contain both gold classes).");

for (const [title, items] of sets) {
  const judged: Judged[] = items.map((it) => {
    const result = judgeHeuristic({ prompt: it.prompt, response: it.response, category: it.category, subcategory: it.subcategory });
    return { ...it, predicted: result.verdict, result };
  });
  printTable(title, judged);
  if (args.showErrors) printErrors(judged, args.errors);
}
