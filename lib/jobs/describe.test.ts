import { describe, expect, it } from "vitest";
import { jobHref, jobTitle, type JobNames } from "./describe";

const names: JobNames = {
  runs: new Map([["r1", "gpt-x · base"]]),
  datasets: new Map([["d1", "CoCoNot original"]]),
  judges: new Map(),
  users: new Map(),
};

describe("jobTitle", () => {
  it("names the judge and its selection by name", () => {
    expect(jobTitle("judge", { judge: { kind: "heuristic", version: "1.0.1" }, selection: { runId: "r1" } }, names)).toBe("Heuristic judge 1.0.1 · run gpt-x · base");
    expect(jobTitle("judge", { judge: { kind: "llm", name: "coconot-llm", version: "v2", model: "m" }, selection: { datasetId: "d1" } }, names)).toBe(
      "LLM judge coconot-llm v2 (m) · dataset CoCoNot original",
    );
  });
  it("spells out a Browse selection, or says it is everything", () => {
    expect(jobTitle("judge", { judge: { kind: "heuristic", version: "2" }, selection: { browse: { run: "r1", category: "Safety", q: "bomb" } } }, names)).toBe(
      'Heuristic judge 2 · Browse selection (run gpt-x · base, category Safety, text "bomb")',
    );
    expect(jobTitle("judge", { judge: { kind: "heuristic", version: "2" }, selection: { browse: { sort: "oldest" } } }, names)).toBe("Heuristic judge 2 · Browse selection (all responses)");
  });
  it("describes generation and import jobs", () => {
    expect(jobTitle("generate", { modelName: "m", runName: "r", datasetId: "d1", systemPrompt: "coconot" }, names)).toBe("Generate m · r on dataset CoCoNot original · CoCoNot system prompt");
    expect(jobTitle("import", { fileName: "x.csv" }, names)).toBe("Import x.csv");
  });
});

describe("jobHref", () => {
  it("links a judge job to its labels in Browse, within its selection", () => {
    expect(jobHref("judge", { selection: { runId: "r1" } }, { judgeId: "j9" })).toBe("/browse?run=r1&judge=j9&source=judge&labelled=1");
    expect(jobHref("judge", { selection: { browse: { category: "Safety", after: "x", sort: "oldest" } } }, { judgeId: "j9" })).toBe(
      "/browse?category=Safety&judge=j9&source=judge&labelled=1",
    );
  });
  it("links a generation job to its run, and nothing before the ids are known", () => {
    expect(jobHref("generate", {}, { runId: "r2" })).toBe("/browse?run=r2");
    expect(jobHref("judge", { selection: { runId: "r1" } }, null)).toBeNull();
  });
});
