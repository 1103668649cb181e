// Browse lists and counts exactly what each filter means (an independent model: lib/browse/test-fixture.ts),
// on every path: the text search's window and its trigram fallback, the aggregate counts, the lower bounds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../test/db";
import { countableFromAggregates, countResponses, countResponsesExactly, getBrowseOptions, getBrowsePage, listResponses, type BrowseTuning } from "./data";
import type { BrowseFilter } from "./schema";
import { expectedIds, filterCases, loadRows, seedBrowseFixture, type Fixture } from "./test-fixture";

let t: TestDb;
let fx: Fixture;
let rows: Awaited<ReturnType<typeof loadRows>>;
let counted = 0;
beforeAll(async () => {
  t = await createTestDb();
  fx = await seedBrowseFixture(t);
  rows = await loadRows(t);
});
afterAll(async () => t?.close());

/** Every page's ids; a page that counted the matches on the way must have counted them all. */
async function allIds(filter: BrowseFilter, tuning?: BrowseTuning, want?: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await listResponses(t.db, { ...filter, after }, tuning);
    if (page.total !== undefined) {
      counted++;
      expect(page.total, JSON.stringify({ filter, tuning, after })).toBe(want);
    }
    ids.push(...page.items.map((r) => r.id));
    if (!page.nextCursor) return ids;
    after = page.nextCursor;
  }
  throw new Error("too many pages");
}

// Tiny windows and cap: every fallback and every lower bound runs on this small corpus. TINY goes from the
// first text window straight to the indexes; SCAN reads a second, rate-sized window first.
const TINY: BrowseTuning = { textWindow: 3, textScanMax: 0, textCountWindow: 40, disagreeCountWindow: 5, countCap: 7 };
const SCAN: BrowseTuning = { textWindow: 6, textScanMax: 1_000 };

describe("Browse", () => {
  it("lists exactly the responses each filter means, in both orders, with the default and with tiny windows", async () => {
    expect(rows.length).toBe(60);
    let nonEmpty = 0;
    counted = 0;
    for (const f of filterCases(fx)) {
      const want = expectedIds(rows, f);
      if (want.length) nonEmpty++;
      for (const tuning of [undefined, TINY, SCAN]) {
        expect(await allIds({ ...f, sort: "oldest" }, tuning, want.length), JSON.stringify(f)).toEqual(want);
        expect(await allIds({ ...f, sort: "newest" }, tuning, want.length), JSON.stringify(f)).toEqual([...want].reverse());
      }
    }
    expect(nonEmpty).toBeGreaterThan(20);
    expect(counted).toBeGreaterThan(5);
  });

  it("shows a page with the count the filter has, exact or a true lower bound", async () => {
    for (const f of filterCases(fx)) {
      const want = expectedIds(rows, f);
      const { page, total, options } = await getBrowsePage(t, f);
      expect(page.items.map((r) => r.id), JSON.stringify(f)).toEqual([...want].reverse().slice(0, 50));
      if (total.capped) expect(total.n).toBeLessThanOrEqual(want.length);
      else expect(total.n, JSON.stringify(f)).toBe(want.length);
      expect(options.runs).toHaveLength(3);
    }
  });

  it("counts exactly, or gives a true lower bound when it says so", async () => {
    let bounded = 0;
    for (const f of filterCases(fx)) {
      const want = expectedIds(rows, f).length;
      expect(await countResponsesExactly(t.db, f), JSON.stringify(f)).toBe(want);
      expect(await countResponses(t, f), JSON.stringify(f)).toMatchObject({ n: want, capped: false });
      const tiny = await countResponses(t, f, TINY);
      if (tiny.capped) {
        bounded++;
        expect(tiny.n, JSON.stringify(f)).toBeLessThanOrEqual(want);
        expect(tiny.n).toBeLessThan(want + 1);
      } else expect(tiny.n, JSON.stringify(f)).toBe(want);
    }
    // The small windows did produce lower bounds (text, disagreement, cap) and exact counts.
    expect(bounded).toBeGreaterThan(3);
  });

  it("counts a cell's judge verdicts from the aggregates, as the scan does", async () => {
    const f: BrowseFilter = { judge: fx.judges[1], judgeVerdict: "noncompliant", run: fx.runs[1], category: fx.categories[0] };
    expect(countableFromAggregates(f)).toBe(true);
    expect(countableFromAggregates({ ...f, finalVerdict: "complied" })).toBe(false);
    expect(await countResponses(t, f)).toEqual({ n: expectedIds(rows, f).length, capped: false });
  });

  it("gives the filter form its options", async () => {
    const o = await getBrowseOptions(t.db);
    expect(o.datasets.map((d) => d.name)).toEqual(["BX 1", "BX 2"]);
    expect(o.runs.map((r) => r.label)).toEqual(["mx · a", "mx · b", "my · a"]);
    expect(o.judges.map((j) => j.label)).toEqual(["jx v2", "jx v1"]);
    expect(o.annotators.map((a) => a.name)).toEqual(["BX1", "BX2", "BX3"]);
    expect(o.categories.length).toBeGreaterThan(1);
  });
});
