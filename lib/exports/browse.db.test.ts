// An export "from a Browse selection" holds exactly the responses Browse lists for the same URL, for every
// Browse filter (lib/browse/test-fixture.ts), and its filter replays from the names alone.
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listResponses } from "../browse/data";
import type { BrowseFilter } from "../browse/schema";
import { expectedIds, filterCases, loadRows, seedBrowseFixture, type Fixture } from "../browse/test-fixture";
import { createTestDb, type TestDb } from "../test/db";
import { exportOptionsFromBrowse } from "./browse";
import { fetchExportPage, resolveJudge } from "./data";
import { resolveExportFilter } from "./filter";
import { exportFilterSchema } from "./schema";
import { createExport } from "./stream";

let t: TestDb;
let fx: Fixture;
beforeAll(async () => {
  t = await createTestDb();
  fx = await seedBrowseFixture(t, 777);
});
afterAll(async () => t?.close());

async function browseIds(filter: BrowseFilter): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await listResponses(t.db, { ...filter, sort: "oldest", after });
    ids.push(...page.items.map((r) => r.id));
    if (!page.nextCursor) return ids;
    after = page.nextCursor;
  }
}

/** The response ids the export writes: its own filter resolution and page query, pages of 7 to cross boundaries. */
async function exportIds(filter: BrowseFilter): Promise<string[]> {
  const o = await exportOptionsFromBrowse(t.sql, filter);
  // The options are what the sidecar records: they must survive JSON and the schema unchanged.
  expect(exportFilterSchema.parse(JSON.parse(JSON.stringify(o.filter)))).toEqual(o.filter);
  const judgeId = o.judge ? await resolveJudge(t, o.judge) : null;
  const sel = await resolveExportFilter(t, o.filter, judgeId);
  const ids: string[] = [];
  let after = "";
  for (;;) {
    const page = await fetchExportPage(t, sel, { after, limit: 7, judgeId });
    ids.push(...page.map((r) => r.response_id));
    if (page.length < 7) return ids;
    after = page[page.length - 1].response_id;
  }
}

async function exportedRows(filter: BrowseFilter, format: "csv" | "jsonl"): Promise<number> {
  const o = await exportOptionsFromBrowse(t.sql, filter);
  const ex = await createExport(t, { format, filter: o.filter, judge: o.judge });
  await pipeline(ex.stream, new Writable({ write: (_c, _e, cb) => cb() }));
  return ex.rows();
}

describe("export of a Browse selection", () => {
  it("holds exactly the responses Browse lists, for every filter", async () => {
    const rows = await loadRows(t);
    let nonEmpty = 0;
    for (const f of filterCases(fx)) {
      const browse = await browseIds(f);
      expect(browse, JSON.stringify(f)).toEqual(expectedIds(rows, f));
      expect(await exportIds(f), JSON.stringify(f)).toEqual(browse);
      if (browse.length) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(20);
  });

  it("writes that many rows as CSV and JSONL", async () => {
    for (const f of [{ q: "bomb" }, { judge: fx.judges[0], disagree: "1" as const }, { annotator: fx.annotators[2], humanVerdict: "complied" as const }, { source: "best" as const, judge: fx.judges[1], finalVerdict: "partial" as const }]) {
      const n = (await browseIds(f)).length;
      expect(n).toBeGreaterThan(0);
      expect(await exportedRows(f, "csv"), JSON.stringify(f)).toBe(n);
      expect(await exportedRows(f, "jsonl"), JSON.stringify(f)).toBe(n);
    }
  });

  it("records the selection by name, so the sidecar replays it", async () => {
    const o = await exportOptionsFromBrowse(t.sql, { run: fx.runs[1], annotator: fx.annotators[0], judge: fx.judges[1], q: "sure", disagree: "1", subcategory: fx.subcategories[0] });
    expect(o.filter).toMatchObject({ runs: ["b"], models: ["mx"], annotators: ["bx1@x.org"], text: "sure", disagree: true, source: "best", subcategories: [expect.any(String)], categories: [fx.categories[0]] });
    expect(o.judge).toEqual({ name: "jx", version: "2" });
    expect(o.ignored).toEqual([]);
  });
});
