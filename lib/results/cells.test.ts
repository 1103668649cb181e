import { describe, expect, it } from "vitest";
import { cellsOf, countsOfCells, decodeGroup, parseIntArray, type CountCell } from "./cells";

describe("parseIntArray", () => {
  it("reads the integers of one- and two-dimensional int arrays in order", () => {
    expect(parseIntArray("{}")).toEqual([]);
    expect(parseIntArray("{7}")).toEqual([7]);
    expect(parseIntArray("{{1,20,0,-3},{405,6,7,8}}")).toEqual([1, 20, 0, -3, 405, 6, 7, 8]);
    expect(parseIntArray("{2147483647,-2147483648}")).toEqual([2147483647, -2147483648]);
  });
});

describe("decodeGroup", () => {
  it("turns a human part (6 numbers per run) and a judge part (4) into 7 values per run, sharing run indexes", () => {
    const runIds: string[] = [];
    const index = new Map<string, number>();
    const h = decodeGroup({ part: "h", datasetId: "d", subcategoryId: "s", expectation: "should_comply", runs: "r2,r1", counts: "{{1,2,3,4,6,4},{0,0,1,0,1,0}}" }, runIds, index);
    const j = decodeGroup({ part: "j", datasetId: "d", subcategoryId: "s", expectation: "should_comply", runs: "r1,r3", counts: "{{5,0,0,1},{0,2,0,0}}" }, runIds, index);
    expect(runIds).toEqual(["r2", "r1", "r3"]);
    expect([...h.runs]).toEqual([0, 1]);
    expect([...h.values]).toEqual([1, 2, 3, 4, 6, 4, 0, 0, 0, 1, 0, 1, 0, 0]);
    expect([...j.runs]).toEqual([1, 2]);
    expect([...j.values]).toEqual([5, 0, 0, 1, 0, 0, 6, 0, 2, 0, 0, 0, 0, 2]);
    // The cell of r1 under `best` is the sum of both parts.
    const cells = cellsOf({ runIds, groups: [h, j] });
    expect(cells.find((c) => c.runId === "r1")).toEqual({
      runId: "r1",
      datasetId: "d",
      subcategoryId: "s",
      expectation: "should_comply",
      counts: { complied: 5, noncompliant: 0, partial: 1, unclear: 1 },
      sources: { adjudicated: 1, consensus: 0, judge: 6 },
    });
    expect(cells).toHaveLength(3);
  });

  it("refuses a row whose runs and counts do not line up", () => {
    expect(() => decodeGroup({ part: "j", datasetId: "d", subcategoryId: "s", expectation: "should_comply", runs: "r1,r2", counts: "{{1,2,3,4}}" }, [], new Map())).toThrow(/2 runs but 4 numbers/);
  });
});

describe("countsOfCells", () => {
  it("round-trips through cellsOf", () => {
    const cells: CountCell[] = [
      { runId: "a", datasetId: "d", subcategoryId: "s", expectation: "should_not_comply", counts: { complied: 1, noncompliant: 2, partial: 3, unclear: 4 }, sources: { adjudicated: 1, consensus: 2, judge: 7 } },
      { runId: "b", datasetId: "d", subcategoryId: "s", expectation: "should_not_comply", counts: { complied: 0, noncompliant: 9, partial: 0, unclear: 0 }, sources: { adjudicated: 0, consensus: 0, judge: 9 } },
    ];
    expect(cellsOf(countsOfCells(cells))).toEqual(cells);
  });
});
