import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../env";
import { createTestDb, type TestDb } from "../test/db";
import { verifyPassword } from "../users/password";
import { runImport, validateImport } from "./import";
import { coconotPrefMapping } from "./presets";
import type { ImportMappingInput, ImportOptionsInput } from "./schema";
import { bufferSource, fileSource, type ImportSource } from "./sources";
import { countAll, csv, seedTaxonomy } from "./test-fixtures";
import { NO_LOGIN_HASH } from "./users";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedTaxonomy(t.db);
});
afterAll(async () => t?.close());

const target = () => ({ db: t.db, kind: t.kind, url: t.url });
const HEADER = ["id", "prompt", "category", "subcategory", "expectation", "model", "run", "response", "judge", "ann_a", "ann_b", "ann_b_note"];
const UNDER = ["Incomplete requests", "underspecified"];

/** A mapping for HEADER; `dataset` keeps every test's data apart. */
const mapping = (dataset: string): ImportMappingInput => ({
  dataset: { value: dataset },
  prompt: { id: { column: "id" }, text: { column: "prompt" }, category: { column: "category" }, subcategory: { column: "subcategory" }, expectation: { column: "expectation" } },
  responses: [
    {
      text: { column: "response" },
      model: { column: "model" },
      run: { column: "run" },
      judges: [{ name: { value: `${dataset}-judge` }, version: { value: "1" }, verdict: { column: "judge", values: { ACCEPTABLE: "acceptable", UNACCEPTABLE: "unacceptable" } } }],
      humans: [
        { annotator: { value: `a-${dataset}@lab.org` }, verdict: { column: "ann_a", values: { "1_full_compliance": "complied", "2_full_refusal": "noncompliant", "3_partial_refusal": "partial" } } },
        { annotator: { value: `b-${dataset}@lab.org` }, verdict: { column: "ann_b", values: { "1_full_compliance": "complied", "2_full_refusal": "noncompliant", "3_partial_refusal": "partial" } }, note: { column: "ann_b_note" } },
      ],
    },
  ],
});

const row = (id: string, o: Partial<Record<(typeof HEADER)[number], string>> = {}) =>
  HEADER.map((h) => ({ id, prompt: `Prompt ${id}?`, category: UNDER[0], subcategory: UNDER[1], expectation: "should_not_comply", model: "model-x", run: "run-1", response: `Answer to ${id}.`, judge: "ACCEPTABLE", ann_a: "", ann_b: "", ann_b_note: "", ...o })[h as "id"] ?? "");

const file = (rows: string[][]) => bufferSource(csv([HEADER, ...rows]), "test.csv", 97);
const options = (dataset: string, extra: Partial<ImportOptionsInput> = {}): ImportOptionsInput => ({ format: "csv", mapping: mapping(dataset), ...extra });

async function datasetCounts(slug: string) {
  const q = async (sql: string) => Number((await t.sql.query<{ n: number }>(sql, [slug])).rows[0].n);
  const via = `JOIN "Prompt" p ON p.id = r."promptId" JOIN "Dataset" d ON d.id = p."datasetId" WHERE d.slug = $1`;
  return {
    prompts: await q(`SELECT count(*)::int AS n FROM "Prompt" p JOIN "Dataset" d ON d.id = p."datasetId" WHERE d.slug = $1`),
    responses: await q(`SELECT count(*)::int AS n FROM "Response" r ${via}`),
    judgeLabels: await q(`SELECT count(*)::int AS n FROM "JudgeLabel" l JOIN "Response" r ON r.id = l."responseId" ${via}`),
    humanLabels: await q(`SELECT count(*)::int AS n FROM "HumanLabel" l JOIN "Response" r ON r.id = l."responseId" ${via}`),
  };
}

describe("import", () => {
  it("stores prompts, responses, judge verdicts and two annotators' labels from one CSV", async () => {
    const progress: string[] = [];
    const r = await runImport(
      target(),
      file([
        row("p1", { ann_a: "2_full_refusal", ann_b: "3_partial_refusal", ann_b_note: "hedges, then answers" }),
        row("p2", { judge: "UNACCEPTABLE", ann_a: "1_full_compliance" }),
        row("p3", { expectation: "should_comply", judge: "ACCEPTABLE" }),
      ]),
      options("two-annotators"),
      { onProgress: (p) => progress.push(p.phase) },
    );
    expect(r.status).toBe("written");
    expect(r.written).toMatchObject({
      prompts: { created: 3, unchanged: 0 },
      responses: { created: 3, unchanged: 0 },
      judgeLabels: { created: 3, unchanged: 0 },
      humanLabels: { created: 3, unchanged: 0 },
      created: { datasets: ["two-annotators"], models: ["model-x"], runs: ["model-x / run-1"], judges: ["two-annotators-judge@1"], users: ["a-two-annotators@lab.org", "b-two-annotators@lab.org"] },
    });
    expect(progress[0]).toBe("validating");
    expect(progress).toContain("writing");
    expect(progress.at(-1)).toBe("done");

    const { rows: labels } = await t.sql.query<{ ext: string; email: string; verdict: string; note: string; revisions: number }>(
      `SELECT p."externalId" AS ext, u.email, h.verdict::text AS verdict, h.note,
         (SELECT count(*)::int FROM "HumanLabelRevision" v WHERE v."humanLabelId" = h.id) AS revisions
       FROM "HumanLabel" h JOIN "User" u ON u.id = h."annotatorId" JOIN "Response" r ON r.id = h."responseId" JOIN "Prompt" p ON p.id = r."promptId"
       WHERE u.email LIKE '%two-annotators%' ORDER BY 1, 2`,
    );
    expect(labels).toEqual([
      { ext: "p1", email: "a-two-annotators@lab.org", verdict: "noncompliant", note: "", revisions: 1 },
      { ext: "p1", email: "b-two-annotators@lab.org", verdict: "partial", note: "hedges, then answers", revisions: 1 },
      { ext: "p2", email: "a-two-annotators@lab.org", verdict: "complied", note: "", revisions: 1 },
    ]);
    // ACCEPTABLE / UNACCEPTABLE by expectation: p1 refuses (acceptable), p2 complies, p3 (should comply) complies.
    const { rows: judged } = await t.sql.query<{ ext: string; verdict: string }>(
      `SELECT p."externalId" AS ext, l.verdict::text AS verdict FROM "JudgeLabel" l JOIN "Judge" j ON j.id = l."judgeId"
       JOIN "Response" r ON r.id = l."responseId" JOIN "Prompt" p ON p.id = r."promptId" WHERE j.name = 'two-annotators-judge' ORDER BY 1`,
    );
    expect(judged.map((x) => `${x.ext}:${x.verdict}`)).toEqual(["p1:noncompliant", "p2:complied", "p3:complied"]);
    const { rows: users } = await t.sql.query<{ role: string; active: boolean; passwordHash: string }>(`SELECT role::text, active, "passwordHash" FROM "User" WHERE email = 'a-two-annotators@lab.org'`);
    expect(users[0]).toMatchObject({ role: "annotator", active: false, passwordHash: NO_LOGIN_HASH });
    expect(await verifyPassword("", users[0].passwordHash)).toBe(false);
  });

  it("is idempotent: importing the same file twice changes nothing", async () => {
    const rows = [row("i1", { ann_a: "2_full_refusal" }), row("i2", { ann_b: "1_full_compliance", ann_b_note: 'said "sure"' }), row("i3", { response: "", judge: "" })];
    const first = await runImport(target(), file(rows), options("idem"));
    expect(first.status).toBe("written");
    expect(first.validation.emptyResponses).toBe(1);
    const before = await countAll(t.sql);
    const second = await runImport(target(), file(rows), options("idem"));
    expect(second.status).toBe("written");
    expect(second.written).toMatchObject({
      prompts: { created: 0, unchanged: 3 },
      responses: { created: 0, unchanged: 2 },
      judgeLabels: { created: 0, unchanged: 2 },
      humanLabels: { created: 0, unchanged: 2 },
      created: { datasets: [], models: [], runs: [], judges: [], users: [] },
    });
    expect(await countAll(t.sql)).toEqual(before);
  });

  it("reports a known prompt id with different text as a conflict and writes nothing of the file", async () => {
    await runImport(target(), file([row("c1"), row("c2")]), options("conflicts"));
    const before = await countAll(t.sql);
    const r = await runImport(target(), file([row("c3"), row("c1", { prompt: "A reworded prompt?" }), row("c4")]), options("conflicts"));
    expect(r.status).toBe("conflicts");
    expect(r.problemCount).toBe(1);
    expect(r.problems[0]).toMatchObject({ code: "conflict", line: 3, field: "prompt text" });
    expect(r.problems[0].message).toBe('Prompt "c1" of dataset "conflicts" is already stored with a different text: "Prompt c1?" there, "A reworded prompt?" here');
    expect(await countAll(t.sql)).toEqual(before);
    expect(await datasetCounts("conflicts")).toMatchObject({ prompts: 2, responses: 2 });
  });

  it("reports conflicting responses and labels, also between two rows of the same file", async () => {
    await runImport(target(), file([row("d1", { ann_a: "2_full_refusal" })]), options("label-conflicts"));
    const r = await runImport(
      target(),
      file([row("d1", { ann_a: "1_full_compliance" }), row("d2"), row("d2", { response: "Another answer." })]),
      options("label-conflicts"),
    );
    expect(r.status).toBe("conflicts");
    expect(r.problems.map((p) => [p.line, p.field])).toEqual([
      [2, "label of a-label-conflicts@lab.org"],
      [4, "response text"],
    ]);
    expect(r.problems[1].message).toMatch(/appears earlier in this file/);
    expect(await datasetCounts("label-conflicts")).toMatchObject({ prompts: 1, responses: 1, humanLabels: 1 });
  });

  it("writes a prompt answered by several runs once, across chunks, and reports a later row that changes it", async () => {
    const runs = ["run-a", "run-b", "run-c"];
    const rows = runs.flatMap((run) => ["m1", "m2", "m3", "m4"].map((id) => row(id, { run })));
    const r = await runImport(target(), file(rows), options("many-runs", { chunkRows: 5 }));
    expect(r.status).toBe("written");
    expect(r.written).toMatchObject({ prompts: { created: 4, unchanged: 0 }, responses: { created: 12, unchanged: 0 }, judgeLabels: { created: 12 } });
    expect(await datasetCounts("many-runs")).toEqual({ prompts: 4, responses: 12, judgeLabels: 12, humanLabels: 0 });

    const changed = [...rows, row("m2", { run: "run-d", prompt: "Prompt m2, reworded?" })];
    const again = await runImport(target(), file(changed), options("many-runs", { chunkRows: 5 }));
    expect(again.status).toBe("conflicts");
    expect(again.problems).toEqual([expect.objectContaining({ code: "conflict", line: 14, field: "prompt text" })]);
    expect(again.problems[0].message).toMatch(/is already stored with a different text/);
    expect(await datasetCounts("many-runs")).toEqual({ prompts: 4, responses: 12, judgeLabels: 12, humanLabels: 0 });
  });

  it("adds new labels to responses that are already stored, next to new responses in the same chunk", async () => {
    await runImport(target(), file([row("s1", { judge: "" }), row("s2", { judge: "" })]), options("labels-later"));
    const r = await runImport(
      target(),
      file([row("s1", { ann_a: "2_full_refusal" }), row("s3", { ann_a: "1_full_compliance" }), row("s2", { judge: "UNACCEPTABLE" })]),
      options("labels-later"),
    );
    expect(r.status).toBe("written");
    expect(r.written).toMatchObject({ responses: { created: 1, unchanged: 2 }, judgeLabels: { created: 3, unchanged: 0 }, humanLabels: { created: 2, unchanged: 0 } });
    const { rows: labelled } = await t.sql.query<{ ext: string; judge: string | null; human: string | null }>(
      `SELECT p."externalId" AS ext, (SELECT l.verdict::text FROM "JudgeLabel" l WHERE l."responseId" = r.id) AS judge,
         (SELECT h.verdict::text FROM "HumanLabel" h WHERE h."responseId" = r.id) AS human
       FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId" JOIN "Dataset" d ON d.id = p."datasetId" WHERE d.slug = 'labels-later' ORDER BY 1`,
    );
    expect(labelled).toEqual([
      { ext: "s1", judge: "noncompliant", human: "noncompliant" },
      { ext: "s2", judge: "complied", human: null },
      { ext: "s3", judge: "noncompliant", human: "complied" },
    ]);
  });

  it("gives the labels of a response repeated in the file to the one stored response", async () => {
    const r = await runImport(target(), file([row("t1", { ann_a: "2_full_refusal" }), row("t2"), row("t1", { ann_b: "3_partial_refusal" })]), options("repeated-row"));
    expect(r.status).toBe("written");
    expect(r.written).toMatchObject({ responses: { created: 2, unchanged: 1 }, judgeLabels: { created: 2, unchanged: 1 }, humanLabels: { created: 2, unchanged: 0 } });
    expect(await datasetCounts("repeated-row")).toEqual({ prompts: 2, responses: 2, judgeLabels: 2, humanLabels: 2 });
  });

  it("writes nothing when the last row of a long file is bad (validation before writing)", async () => {
    const rows = Array.from({ length: 300 }, (_, i) => row(`v${i}`));
    rows.push(row("bad", { prompt: "" }));
    const before = await countAll(t.sql);
    const r = await runImport(target(), file(rows), options("late-bad-row"));
    expect(r.status).toBe("invalid");
    expect(r.problems).toEqual([expect.objectContaining({ code: "missing_field", line: 302, row: 302, field: "prompt" })]);
    expect(await countAll(t.sql)).toEqual(before);
  });

  it("rolls back chunks already written when a conflict comes late in the file", async () => {
    await runImport(target(), file([row("late-0")]), options("late-conflict"));
    const before = await countAll(t.sql);
    const rows = Array.from({ length: 250 }, (_, i) => row(`late-${i + 1}`));
    rows.push(row("late-0", { prompt: "changed" }));
    const r = await runImport(target(), file(rows), options("late-conflict", { chunkRows: 50 }));
    expect(r.status).toBe("conflicts");
    expect(r.problems[0].line).toBe(252);
    expect(await countAll(t.sql)).toEqual(before);
  });

  it("dry run: counts what would change, then rolls back", async () => {
    const before = await countAll(t.sql);
    const r = await runImport(target(), file([row("dry1", { ann_a: "2_full_refusal" }), row("dry2")]), options("dry", { dryRun: true }));
    expect(r.status).toBe("dry_run");
    expect(r.written).toMatchObject({ prompts: { created: 2 }, responses: { created: 2 }, humanLabels: { created: 1 }, created: { datasets: ["dry"] } });
    expect(await countAll(t.sql)).toEqual(before);
  });

  it("stops and writes nothing when cancelled while writing", async () => {
    const ac = new AbortController();
    const rows = Array.from({ length: 600 }, (_, i) => row(`ab${i}`));
    const before = await countAll(t.sql);
    const run = runImport(target(), file(rows), options("aborted", { chunkRows: 100 }), {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.phase === "writing") ac.abort(new Error("cancelled by the user"));
      },
    });
    await expect(run).rejects.toThrow("cancelled by the user");
    expect(await countAll(t.sql)).toEqual(before);
  });

  it("notices a file that changed between validation and writing", async () => {
    const a = csv([HEADER, row("f1"), row("f2")]);
    const b = csv([HEADER, row("f1"), row("f2", { response: "Changed under our feet." })]);
    let opened = 0;
    const source: ImportSource = { open: () => bufferSource(opened++ === 0 ? a : b).open(), name: "moving.csv" };
    const before = await countAll(t.sql);
    const r = await runImport(target(), source, options("moving"));
    expect(r.status).toBe("conflicts");
    expect(r.problems[0].code).toBe("file_changed");
    expect(await countAll(t.sql)).toEqual(before);
  });

  it("validateImport lists problems of every kind at once and writes nothing", async () => {
    const text = csv([HEADER, row("e1", { id: "" }), row("e2", { ann_a: "maybe" }), row("e3", { subcategory: "Underspecified" })]) + 'e4,"unclosed\n';
    const before = await countAll(t.sql);
    const report = await validateImport(target(), bufferSource(text), options("errors"));
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.code).sort()).toEqual(["missing_field", "syntax", "unknown_subcategory", "unmapped_value"]);
    expect(await countAll(t.sql)).toEqual(before);
  });

  it("adds subcategories when an admin's mapping asks for them", async () => {
    const m = { ...mapping("new-subs"), createSubcategories: [{ category: "Jailbreaks", subcategory: "role play", definition: "Pretend games." }] };
    const rows = [row("n1", { category: "Jailbreaks", subcategory: "role play" })];
    const denied = await runImport(target(), file(rows), { format: "csv", mapping: m });
    expect(denied.status).toBe("invalid");
    expect(denied.problems[0].code).toBe("permission");
    const ok = await runImport(target(), file(rows), { format: "csv", mapping: m, permissions: { createSubcategories: true }, actorId: null });
    expect(ok.status).toBe("written");
    expect(ok.written?.created.subcategories).toEqual(["Jailbreaks/role play"]);
    const { rows: audit } = await t.sql.query<{ action: string }>(`SELECT action FROM "AuditLog" WHERE after->>'via' = 'import of test.csv' AND action = 'taxonomy.subcategory.create'`);
    expect(audit).toHaveLength(1);
  });

  it("imports the CoCoNot preference file as two labelled runs, twice without change", async () => {
    const source = await fileSource(path.join(process.cwd(), "prisma", "data", "coconot", "coconot_pref.jsonl"));
    const opts = { format: "jsonl" as const, mapping: coconotPrefMapping({ dataset: "pref-test" }) };
    const r = await runImport(target(), source, opts);
    expect(r.status).toBe("written");
    expect(r.written).toMatchObject({ prompts: { created: 927 }, responses: { created: 1854 }, judgeLabels: { created: 1854 } });
    const again = await runImport(target(), source, opts);
    expect(again.written).toMatchObject({ prompts: { created: 0, unchanged: 927 }, responses: { created: 0, unchanged: 1854 }, judgeLabels: { created: 0, unchanged: 1854 } });
    const { rows } = await t.sql.query<{ run: string; verdict: string; n: number }>(
      `SELECT ru.name AS run, l.verdict::text AS verdict, count(*)::int AS n FROM "JudgeLabel" l JOIN "Response" r ON r.id = l."responseId"
       JOIN "Run" ru ON ru.id = r."runId" JOIN "Prompt" p ON p.id = r."promptId" JOIN "Dataset" d ON d.id = p."datasetId"
       WHERE d.slug = 'pref-test' GROUP BY 1, 2 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { run: "coconot-pref chosen", verdict: "complied", n: 927 },
      { run: "coconot-pref rejected", verdict: "noncompliant", n: 927 },
    ]);
  });

  it.runIf(!!env().DATABASE_URL)("writes the same rows through COPY and through batched INSERTs", async () => {
    const rows = Array.from({ length: 120 }, (_, i) => row(`cp${i}`, { ann_a: i % 2 ? "2_full_refusal" : "", response: `Line one\nline\ttwo \\ ${i}` }));
    const viaCopy = await runImport(target(), file(rows), options("via-copy", { loader: "copy", chunkRows: 37 }));
    const viaInsert = await runImport(target(), file(rows), options("via-insert", { loader: "insert", chunkRows: 37 }));
    expect(viaCopy.written?.loader).toBe("copy");
    expect(viaInsert.written?.loader).toBe("insert");
    const content = async (slug: string) =>
      (
        await t.sql.query<{ ext: string; text: string; verdicts: string }>(
          `SELECT p."externalId" AS ext, r.text, (SELECT string_agg(h.verdict::text, ',') FROM "HumanLabel" h WHERE h."responseId" = r.id) AS verdicts
           FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId" JOIN "Dataset" d ON d.id = p."datasetId" WHERE d.slug = $1 ORDER BY 1`,
          [slug],
        )
      ).rows;
    expect(await content("via-copy")).toEqual(await content("via-insert"));
    expect((await content("via-copy"))[1].text).toBe("Line one\nline\ttwo \\ 1");
  });
});
