// One measured side of bench/io.ts, run in its own process so that its peak memory is its own:
//
//   npx tsx bench/io-child.ts import <file.csv> <database url> [chunk rows]   the full import path (as scripts/import.ts)
//   npx tsx bench/io-child.ts export <out.csv> <database url> [limit]        the CSV export (as scripts/export.ts)
//
// Prints one JSON line on stdout: { ms, cpuMs, maxRssKb, baseRssKb, rows, ... }. `ms` is measured around the work itself (after
// the module load and the database connection), so process start-up is not counted on either side of a ratio.
// Progress goes to stderr.
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { openDb } from "../lib/db";
import { createExport } from "../lib/exports/stream";
import { runImport } from "../lib/imports/import";
import { fileSource, readPreview } from "../lib/imports/sources";
import { suggestMapping } from "../lib/imports/suggest";

const [mode, file, url, limitArg] = process.argv.slice(2);
if (!["import", "export"].includes(mode) || !file || !url) {
  console.error("usage: npx tsx bench/io-child.ts import FILE DATABASE_URL [chunk rows] | export FILE DATABASE_URL [limit]");
  process.exit(2);
}

const opened = await openDb({ url, migrate: false });
await opened.sql.query("SELECT 1");
/** Resident memory before the work: Node, the modules and a connection (what the work adds is the rest). */
const baseRssKb = Math.round(process.memoryUsage().rss / 1024);
// Peak of each part of the memory, sampled, to tell where the resident set goes (heap, strings' external data, buffers).
const peaks = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
let phase = "start";
const peakByPhase: Record<string, typeof peaks> = {};
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  const p = (peakByPhase[phase] ??= { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 });
  for (const k of Object.keys(peaks) as (keyof typeof peaks)[]) {
    peaks[k] = Math.max(peaks[k], m[k]);
    p[k] = Math.max(p[k], m[k]);
  }
}, 50);
sampler.unref();
const cpuAtStart = process.cpuUsage();
let out: Record<string, unknown>;
try {
  if (mode === "import") {
    const started = performance.now();
    const source = await fileSource(file);
    const preview = await readPreview(source, "csv");
    const s = suggestMapping(preview.columns, { samples: preview.samples });
    if (s.shape !== "abstain-export") throw new Error(`${file} is not an Abstain CSV export (recognised as ${s.shape})`);
    let last = 0;
    let progressEvents = 0;
    const r = await runImport({ db: opened.db, kind: opened.kind, url }, source, { format: "csv", mapping: s.mapping, fileName: "bench", ...(limitArg ? { chunkRows: Number(limitArg) } : {}) }, {
      onProgress: (p) => {
        progressEvents++;
        phase = p.phase;
        const now = performance.now();
        if (now - last < 5000 && p.phase !== "done") return;
        last = now;
        console.error(`  ${p.phase}: ${((100 * p.bytesRead) / (p.bytesTotal || 1)).toFixed(0)}% of the file, ${p.rowsValidated} validated, ${p.rowsWritten} written`);
      },
    });
    const ms = performance.now() - started;
    if (r.status !== "written") throw new Error(`import ${r.status}: ${JSON.stringify(r.problems.slice(0, 3))}`);
    out = { ms, validateMs: r.timings.validateMs, writeMs: r.timings.writeMs, rows: r.validation.records, written: r.written, progressEvents };
  } else {
    const started = performance.now();
    const ex = await createExport(opened, { format: "csv", filter: {}, bom: false, ...(limitArg ? { limit: Number(limitArg) } : {}) });
    await pipeline(ex.stream, createWriteStream(file));
    out = { ms: performance.now() - started, rows: ex.rows() };
  }
} finally {
  await opened.close();
}
const MB = (b: number) => Math.round(b / 1024 ** 2);
for (const [ph, p] of Object.entries(peakByPhase)) console.error(`  peak memory (MB) while ${ph}: ${Object.entries(p).map(([k, v]) => `${k} ${MB(v)}`).join(", ")}`);
const cpu = process.cpuUsage(cpuAtStart);
console.log(JSON.stringify({ ...out, cpuMs: (cpu.user + cpu.system) / 1000, baseRssKb, maxRssKb: process.resourceUsage().maxRSS }));
