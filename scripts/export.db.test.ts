// The export command line with --browse: the file holds exactly what the web export of the same Browse
// address holds (both go through exportOptionsFromBrowse; this checks the command's own wiring).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browseHref, type BrowseFilter } from "../lib/browse/schema";
import { filterCases, seedBrowseFixture, type Fixture } from "../lib/browse/test-fixture";
import { openDb } from "../lib/db";
import { exportOptionsFromBrowse } from "../lib/exports/browse";
import { createExport } from "../lib/exports/stream";
import { createTestDb, type TestDb } from "../lib/test/db";

const dir = mkdtempSync(path.join(tmpdir(), "abstain-export-cli-"));
let t: TestDb;
let fx: Fixture;
// The command opens the database itself: a PostgreSQL database by URL, or an embedded one on disk (not in memory).
const onDisk = !process.env.DATABASE_URL;
const open = () => (onDisk ? openDb({ dir: path.join(dir, "db") }) : Promise.resolve(t));

beforeAll(async () => {
  t = onDisk ? await openDb({ dir: path.join(dir, "db") }) : await createTestDb();
  fx = await seedBrowseFixture(t, 31);
  if (onDisk) await t.close(); // one process at a time on an embedded database
}, 120_000);
afterAll(async () => {
  if (!onDisk) await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** JSONL lines without the export time, which differs between two runs. */
const lines = (text: string) => text.split("\n").filter(Boolean);

async function webExport(filter: BrowseFilter): Promise<string[]> {
  const opened = await open();
  try {
    const o = await exportOptionsFromBrowse(opened.sql, filter);
    const ex = await createExport(opened, { format: "jsonl", filter: o.filter, judge: o.judge });
    let out = "";
    await pipeline(ex.stream, new Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) }));
    return lines(out);
  } finally {
    if (onDisk) await opened.close();
  }
}

function cliExport(address: string): string[] {
  const out = path.join(dir, "out.jsonl");
  const env: NodeJS.ProcessEnv = { ...process.env, ...(onDisk ? { PGLITE_DIR: path.join(dir, "db") } : { DATABASE_URL: t.url! }) };
  if (onDisk) delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/export.ts", "--format", "jsonl", "--out", out, "--browse", address], { env, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return lines(readFileSync(out, "utf8"));
}

describe("npm run data:export -- --browse", () => {
  it("writes what the web export of the same Browse address writes", async () => {
    const cases = filterCases(fx);
    // A judge's verdicts with disagreement, a text search: filters the other flags cannot say.
    for (const f of [cases[14], cases[16]]) {
      const address = `http://localhost:3000${browseHref(f)}`;
      const web = await webExport(f);
      expect(cliExport(address), address).toEqual(web);
    }
  }, 120_000);

  it("refuses a Browse address with an unknown filter, naming it", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/export.ts", "--format", "csv", "--out", path.join(dir, "x.csv"), "--browse", "?colour=red"], {
      encoding: "utf8",
      env: { ...process.env, PGLITE_DIR: path.join(dir, "none") },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Unknown filter "colour"');
  });
});
