// Exports responses with their labels and final verdicts from the configured database, streamed to a file.
//
//   npx tsx scripts/export.ts --format csv|jsonl|sft|pref --out F [filters] [--judge NAME@VERSION] [--limit N] [--no-bom]
//
// Filters (repeatable; values of one flag are OR, different flags AND): --dataset SLUG, --model NAME, --run NAME,
// --category SLUG, --subcategory SLUG, --expectation should_not_comply|should_comply.
// Writes F and, next to it, F.meta.json (filters, judge, export time, row count, formula-escape rule).
// --out - writes to stdout (the metadata then goes to stderr).
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { createExport } from "../lib/exports/stream";
import { describeDatabase, runCli } from "./cli";

const USAGE =
  "usage: npx tsx scripts/export.ts --format csv|jsonl|sft|pref --out FILE [--dataset D]… [--model M]… [--run R]… " +
  "[--category C]… [--subcategory S]… [--expectation E] [--judge NAME@VERSION] [--limit N] [--no-bom]";

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
  const ex = await createExport(opened, {
    format: args.format as never, // validated by createExport, which names the allowed values
    filter: {
      datasets: args.dataset,
      models: args.model,
      runs: args.run,
      categories: args.category,
      subcategories: args.subcategory,
      expectation: args.expectation as never,
    },
    judge,
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
