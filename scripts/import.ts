// Imports a file into the configured database (DATABASE_URL, or the embedded PGlite database).
//
//   npx tsx scripts/import.ts --file F --format coconot|coconot-pref|csv|tsv|jsonl [options]
//
//   --mapping M.json       column mapping (lib/imports/schema.ts importMappingSchema); required for csv / tsv /
//                          jsonl unless the file is recognised exactly (an Abstain export, a CoCoNot file)
//   --suggest              print the suggested mapping for the file as JSON and exit (save it, edit it, pass it)
//   --dataset SLUG         coconot / coconot-pref: the dataset (coconot-pref defaults to coconot-pref)
//   --expectation E        coconot: should_not_comply (original set) or should_comply (contrast set)
//   --model M --run R      coconot: store the `response` field as run R of model M (else prompts only)
//   --dry-run              validate and write inside a transaction, then roll back: prints what would change
//   --allow-new-subcategories   let the mapping's createSubcategories add to the taxonomy (admin operation)
//   --no-create-annotators      report annotators without an account instead of creating them (inactive)
//   --loader auto|copy|insert   write path (auto: COPY on PostgreSQL)
//   --max-bytes N          size cap (default 2 GiB)
//   --json                 print the whole result as JSON on stdout
//
// Exit code 0 when written (or dry run), 1 when the file has problems or conflicts (all are printed), 2 on usage.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { env } from "../lib/env";
import { runImport } from "../lib/imports/import";
import { coconotMapping, coconotPrefMapping } from "../lib/imports/presets";
import { expectationSchema, importKindSchema, type ImportFormat, type ImportMappingInput, type ImportProblem } from "../lib/imports/schema";
import { fileSource, readPreview } from "../lib/imports/sources";
import { suggestMapping } from "../lib/imports/suggest";
import { describeDatabase, runCli } from "./cli";

const USAGE =
  "usage: npx tsx scripts/import.ts --file F --format coconot|coconot-pref|csv|tsv|jsonl [--mapping M.json | --suggest] " +
  "[--dataset SLUG] [--expectation should_not_comply|should_comply] [--model M --run R] [--dry-run] [--json]";

function usage(message: string): never {
  console.error(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

function readArgs() {
  try {
    return parseArgs({
      options: {
        file: { type: "string" },
        format: { type: "string" },
        mapping: { type: "string" },
        suggest: { type: "boolean", default: false },
        dataset: { type: "string" },
        expectation: { type: "string" },
        model: { type: "string" },
        run: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        "allow-new-subcategories": { type: "boolean", default: false },
        "no-create-annotators": { type: "boolean", default: false },
        loader: { type: "string", default: "auto" },
        "max-bytes": { type: "string" },
        json: { type: "boolean", default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    usage((err as Error).message);
  }
}
const args = readArgs();
const file = args.file ?? usage("--file is required");
const kind = importKindSchema.safeParse(args.format);
if (!kind.success) usage("--format must be one of coconot, coconot-pref, csv, tsv, jsonl");
const format: ImportFormat = kind.data === "coconot" || kind.data === "coconot-pref" ? "jsonl" : kind.data;
const expectation = args.expectation === undefined ? undefined : expectationSchema.safeParse(args.expectation);
if (expectation && !expectation.success) usage("--expectation must be should_not_comply or should_comply");
if (!["auto", "copy", "insert"].includes(args.loader!)) usage("--loader must be auto, copy or insert");

const source = await fileSource(file).catch((err: Error) => usage(`cannot read ${file}: ${err.message}`));

async function chooseMapping(): Promise<ImportMappingInput> {
  if (args.mapping) {
    try {
      return JSON.parse(readFileSync(args.mapping, "utf8"));
    } catch (err) {
      usage(`cannot read the mapping ${args.mapping}: ${(err as Error).message}`);
    }
  }
  if (kind.data === "coconot") {
    if (!args.dataset) usage("--format coconot needs --dataset");
    if (!expectation?.success) usage("--format coconot needs --expectation (should_not_comply for the original set, should_comply for the contrast set)");
    if (!!args.model !== !!args.run) usage("--model and --run go together");
    return coconotMapping({ dataset: args.dataset, expectation: expectation.data, model: args.model, run: args.run });
  }
  if (kind.data === "coconot-pref") return coconotPrefMapping({ dataset: args.dataset });
  const preview = await readPreview(source, format);
  const s = suggestMapping(preview.columns, {
    samples: preview.samples,
    dataset: args.dataset,
    expectation: expectation?.success ? expectation.data : undefined,
    model: args.model,
    run: args.run,
  });
  if (s.shape !== "generic" && s.missing.length === 0) {
    console.error(`Recognised the file as ${s.shape}; using the suggested mapping (--suggest prints it).`);
    return s.mapping;
  }
  usage(`--format ${kind.data} needs --mapping. Start from the suggestion: npx tsx scripts/import.ts --file ${file} --format ${kind.data} --suggest > mapping.json`);
}

function printProblems(problems: ImportProblem[], total: number) {
  for (const p of problems) {
    const where = [p.line !== undefined ? `line ${p.line}` : null, p.row !== undefined ? `row ${p.row}` : null].filter(Boolean).join(", ");
    console.error(`  ${where ? `${where}: ` : ""}${p.field ? `[${p.field}] ` : ""}${p.message}`);
    console.error(`      → ${p.fix}`);
  }
  if (total > problems.length) console.error(`  … and ${(total - problems.length).toLocaleString("en")} more`);
}

if (args.suggest) {
  const preview = await readPreview(source, format);
  if (preview.problem) {
    printProblems([preview.problem], 1);
    process.exit(1);
  }
  const s = suggestMapping(preview.columns, { samples: preview.samples, dataset: args.dataset, expectation: expectation?.success ? expectation.data : undefined, model: args.model, run: args.run });
  console.log(JSON.stringify(s.mapping, null, 2));
  for (const n of s.notes) console.error(`note: ${n}`);
  if (s.missing.length) console.error(`fill in: ${s.missing.join(", ")}`);
  if (s.unused.length) console.error(`unused columns: ${s.unused.join(", ")}`);
  process.exit(0);
}

const mapping = await chooseMapping();
let exitCode = 0;
await runCli(async (opened) => {
  console.error(`Importing ${file} into ${describeDatabase()}${args["dry-run"] ? " (dry run)" : ""}`);
  let lastPrint = 0;
  const result = await runImport(
    { db: opened.db, kind: opened.kind, url: env().DATABASE_URL }, // = getImportTarget(), on runCli's database
    source,
    {
      format,
      mapping,
      dryRun: args["dry-run"],
      permissions: { createSubcategories: args["allow-new-subcategories"], createAnnotators: !args["no-create-annotators"] },
      loader: args.loader as "auto" | "copy" | "insert",
      fileName: source.name,
      ...(args["max-bytes"] ? { maxBytes: Number(args["max-bytes"]) } : {}),
    },
    {
      onProgress: (p) => {
        const now = Date.now();
        if (now - lastPrint < 2000 && p.phase !== "done") return;
        lastPrint = now;
        const pct = p.bytesTotal ? ` ${((100 * p.bytesRead) / p.bytesTotal).toFixed(0)}% of the file,` : "";
        console.error(`  ${p.phase}:${pct} ${p.rowsValidated.toLocaleString("en")} rows validated, ${p.rowsWritten.toLocaleString("en")} written`);
      },
    },
  );
  if (args.json) console.log(JSON.stringify(result, null, 2));
  const v = result.validation;
  console.error(
    `${v.records.toLocaleString("en")} records, ${v.responses.toLocaleString("en")} responses` +
      (v.emptyResponses ? ` (${v.emptyResponses.toLocaleString("en")} empty responses skipped)` : "") +
      `; validated in ${(result.timings.validateMs / 1000).toFixed(1)} s`,
  );
  if (result.status === "invalid" || result.status === "conflicts") {
    console.error(`\n${result.problemCount.toLocaleString("en")} problem(s)${result.status === "conflicts" ? " (conflicts with stored data)" : ""}; nothing was written:`);
    printProblems(result.problems, result.problemCount);
    exitCode = 1;
    return;
  }
  const w = result.written!;
  const line = (name: string, c: { created: number; unchanged: number }) => console.error(`  ${name.padEnd(14)} ${c.created.toLocaleString("en").padStart(10)} new ${c.unchanged.toLocaleString("en").padStart(10)} unchanged`);
  console.error(`${result.status === "dry_run" ? "Dry run (rolled back): would write" : "Written"} in ${(result.timings.writeMs / 1000).toFixed(1)} s via ${w.loader}:`);
  line("prompts", w.prompts);
  line("responses", w.responses);
  line("judge labels", w.judgeLabels);
  line("human labels", w.humanLabels);
  line("adjudications", w.adjudications);
  for (const [what, names] of Object.entries(w.created)) if (names.length) console.error(`  new ${what}: ${names.slice(0, 20).join(", ")}${names.length > 20 ? ", …" : ""}`);
});
process.exit(exitCode);
