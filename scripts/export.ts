// Exports responses with their labels and final verdicts from the configured database, streamed to a file.
//
//   npx tsx scripts/export.ts --format csv|jsonl|sft|pref --out F [filters] [--judge NAME@VERSION] [--limit N] [--no-bom]
//
// Filters (repeatable; values of one flag are OR, different flags AND): --dataset SLUG, --model NAME, --run NAME,
// --category SLUG, --subcategory SLUG, --expectation should_not_comply|should_comply.
// Or --browse 'QUERY': a Browse page's address (or the part after its "?"), exported exactly as that page's
// export link does: every Browse filter (label source and judge, verdicts, disagreement, text search, …).
// Writes F and, next to it, F.meta.json (filters, judge, export time, row count, formula-escape rule).
// --out - writes to stdout (the metadata then goes to stderr).
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { parseBrowseParams, type BrowseFilter } from "../lib/browse/schema";
import { exportOptionsFromBrowse } from "../lib/exports/browse";
import { createExport } from "../lib/exports/stream";
import { describeDatabase, runCli } from "./cli";

const USAGE =
  "usage: npx tsx scripts/export.ts --format csv|jsonl|sft|pref --out FILE [--dataset D]… [--model M]… [--run R]… " +
  "[--category C]… [--subcategory S]… [--expectation E] [--judge NAME@VERSION] [--limit N] [--no-bom]\n" +
  "   or: npx tsx scripts/export.ts --format … --out FILE --browse 'http://…/browse?category=…&q=…' [--limit N] [--no-bom]";

let args;
try {
  args = parseArgs({
    options: {
      format: { type: "string" },
      out: { type: "string" },
      dataset: { type: "string", multiple: true },
      model: { type: "string", multiple: true },
      run: { type: "string", multiple: true },
      category: { type: "string", multiple: true },
      subcategory: { type: "string", multiple: true },
      expectation: { type: "string" },
      judge: { type: "string" },
      browse: { type: "string" },
      limit: { type: "string" },
      "no-bom": { type: "boolean", default: false },
    },
    strict: true,
  }).values;
} catch (err) {
  console.error(`error: ${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (!args.format || !args.out) {
  console.error(`error: --format and --out are required\n${USAGE}`);
  process.exit(2);
}
const flagFilters = ["dataset", "model", "run", "category", "subcategory", "expectation", "judge"] as const;
if (args.browse !== undefined && flagFilters.some((f) => args[f] !== undefined)) {
  console.error(`error: --browse carries the whole filter; leave out --${flagFilters.filter((f) => args[f] !== undefined).join(", --")}\n${USAGE}`);
  process.exit(2);
}
let browse: BrowseFilter | undefined;
if (args.browse !== undefined) {
  const query = args.browse.includes("?") ? args.browse.slice(args.browse.indexOf("?") + 1) : args.browse;
  const parsed = parseBrowseParams(Object.fromEntries(new URLSearchParams(query)));
  if (parsed.errors.length) {
    console.error(`error: --browse: ${parsed.errors.join(" ")}`);
    process.exit(2);
  }
  browse = parsed.filter;
}
let judge: { name: string; version: string } | undefined;
if (args.judge) {
  const at = args.judge.lastIndexOf("@");
  if (at <= 0) {
    console.error(`error: --judge must be NAME@VERSION\n${USAGE}`);
    process.exit(2);
  }
  judge = { name: args.judge.slice(0, at), version: args.judge.slice(at + 1) };
}

await runCli(async (opened) => {
  const started = performance.now();
  const fromBrowse = browse ? await exportOptionsFromBrowse(opened.sql, browse) : undefined;
  if (fromBrowse?.ignored.length) console.error(`note: not applied to the export (as on the Browse page): ${fromBrowse.ignored.join(", ")}`);
  const ex = await createExport(opened, {
    format: args.format as never, // validated by createExport, which names the allowed values
    filter: fromBrowse?.filter ?? {
      datasets: args.dataset,
      models: args.model,
      runs: args.run,
      categories: args.category,
      subcategories: args.subcategory,
      expectation: args.expectation as never,
    },
    judge: fromBrowse ? fromBrowse.judge : judge,
    limit: args.limit ? Number(args.limit) : undefined,
    bom: !args["no-bom"],
  });
  const toStdout = args.out === "-";
  if (!toStdout) console.error(`Exporting from ${describeDatabase()} to ${args.out}`);
  await pipeline(ex.stream, toStdout ? process.stdout : createWriteStream(args.out!));
  const meta = JSON.stringify(ex.metaWithRows(), null, 2) + "\n";
  if (toStdout) process.stderr.write(meta);
  else {
    await writeFile(`${args.out}.meta.json`, meta);
    console.error(`${ex.rows().toLocaleString("en")} rows in ${((performance.now() - started) / 1000).toFixed(1)} s; metadata in ${args.out}.meta.json`);
  }
});
