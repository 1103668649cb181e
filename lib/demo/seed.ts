// The demo dataset: the CoCoNot taxonomy, test and contrast sets, reference responses, preference
// pairs and demo users, composed from lib/ functions. Deterministic and idempotent: a second run
// finds everything in place and writes nothing new.
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  coconotPrefRecordSchema,
  coconotRecordSchema,
  parseJsonl,
  responseText,
  type CoconotRecord,
} from "../datasets/coconot";
import { addPrompts, ensureDataset, type PromptInput } from "../datasets/data";
import type { Db, DbTx } from "../db";
import type { Expectation } from "../generated/prisma/enums";
import { addJudgeLabels, ensureJudge } from "../judges/data";
import { HEURISTIC_JUDGE, judgeHeuristic } from "../judges/heuristic";
import { addResponses, ensureModel, ensureRun } from "../responses/data";
import { COCONOT_SUBCATEGORY_ALIASES, COCONOT_TAXONOMY } from "../taxonomy/coconot";
import { getSubcategoryIndex, subcategoryKey, upsertTaxonomy } from "../taxonomy/data";
import { rubricFileSchema } from "../taxonomy/schema";
import { insertUser } from "../users/data";
import { hashPassword } from "../users/password";
import { DEMO_USERS } from "./users";
import { insertQueue, selectResponseIds } from "../queues/data";

export { DEMO_USERS };

export const COCONOT_DIR = path.join(process.cwd(), "prisma", "data", "coconot");
const SOURCE = "allenai/noncompliance";
const LICENSE = "MIT (allenai/noncompliance repository); see prisma/data/coconot/NOTICE.md";


export interface SeedReport {
  prompts: Record<string, { created: number; unchanged: number }>;
  responses: Record<string, { created: number; existing: number }>;
  skippedEmptyResponses: { file: string; ids: string[] }[];
  judgeLabelsCreated: number;
  usersCreated: string[];
  rubricVersionsCreated: number;
}

async function readJsonl<T>(file: string, schema: Parameters<typeof parseJsonl<T>>[2]) {
  const text = await readFile(/*turbopackIgnore: true*/ path.join(COCONOT_DIR, file), "utf8");
  return parseJsonl(file, text, schema);
}

function toPromptInputs(
  file: string,
  rows: { line: number; record: { id: string; category: string; subcategory: string; prompt: string } }[],
  index: Map<string, string>,
  expectation: Expectation,
): PromptInput[] {
  const unknown: string[] = [];
  const out = rows.map(({ line, record }) => {
    const sub = COCONOT_SUBCATEGORY_ALIASES[record.subcategory] ?? record.subcategory;
    const id = index.get(subcategoryKey(record.category, sub));
    if (!id) unknown.push(`line ${line}: "${record.category}" / "${record.subcategory}"`);
    return { externalId: record.id, text: record.prompt, subcategoryId: id ?? "", expectation };
  });
  if (unknown.length) {
    throw new Error(`${file}: ${unknown.length} prompt(s) name a subcategory the taxonomy does not have:\n  ${unknown.slice(0, 10).join("\n  ")}`);
  }
  return out;
}

async function seedData(db: DbTx, report: SeedReport): Promise<void> {
  const rubricText = await readFile(/*turbopackIgnore: true*/ path.join(COCONOT_DIR, "refusal_evaluation_rubric.json"), "utf8");
  const tax = await upsertTaxonomy(db, COCONOT_TAXONOMY, rubricFileSchema.parse(JSON.parse(rubricText)));
  report.rubricVersionsCreated = tax.rubricVersionsCreated;
  const index = await getSubcategoryIndex(db);

  // Test sets (prompts from the current release) and the reference responses of the June-2024 files.
  const sets = [
    {
      slug: "coconot-original-test",
      name: "CoCoNot original (test)",
      description: "1,001 requests a model should not comply with, across five categories.",
      file: "coconot_eval.jsonl",
      refFile: "coconot_eval_with_reference_responses.3206be6.jsonl",
      expectation: "should_not_comply" as const,
    },
    {
      slug: "coconot-contrast-test",
      name: "CoCoNot contrast (test)",
      description: "379 look-alike requests a model should comply with (over-refusal).",
      file: "coconot_contrast_eval.jsonl",
      refFile: "coconot_contrast_eval_with_reference_responses.3206be6.jsonl",
      expectation: "should_comply" as const,
    },
  ];
  const model = await ensureModel(
    db,
    "coconot-reference",
    "Reference responses shipped with CoCoNot (allenai/noncompliance@3206be6c); the generating model is not recorded.",
  );
  const run = await ensureRun(db, model.id, "reference", { source: `${SOURCE}@3206be6c`, note: "reference responses" });
  for (const s of sets) {
    const rows = await readJsonl<CoconotRecord>(s.file, coconotRecordSchema);
    const dataset = await ensureDataset(db, { ...s, source: `${SOURCE}@25bf77cc:data/${s.file}`, license: LICENSE });
    const added = await addPrompts(db, dataset.id, toPromptInputs(s.file, rows, index, s.expectation));
    if (added.conflicts.length) {
      throw new Error(`${s.file}: ${added.conflicts.length} prompt(s) differ from the stored ones (first: ${added.conflicts[0].externalId}, ${added.conflicts[0].field})`);
    }
    report.prompts[s.slug] = { created: added.created, unchanged: added.unchanged };

    const refs = await readJsonl<CoconotRecord>(s.refFile, coconotRecordSchema);
    const skipped: string[] = [];
    const responses = [];
    for (const { record } of refs) {
      const text = responseText(record.response);
      const promptId = added.ids.get(record.id);
      if (text === null || !promptId) skipped.push(record.id);
      else responses.push({ promptId, text });
    }
    report.skippedEmptyResponses.push({ file: s.refFile, ids: skipped });
    const r = await addResponses(db, run.id, responses);
    report.responses[`coconot-reference/reference (${s.slug})`] = { created: r.created, existing: r.existing };
  }

  // Preference pairs: their prompts should be complied with; chosen complied, rejected did not.
  const pref = await readJsonl("coconot_pref.jsonl", coconotPrefRecordSchema);
  const prefSet = await ensureDataset(db, {
    slug: "coconot-pref",
    name: "CoCoNot preference pairs",
    description: "927 contrast prompts (should comply) with a compliant (chosen) and a noncompliant (rejected) response.",
    source: `${SOURCE}@25bf77cc:data/coconot_pref.jsonl`,
    license: LICENSE,
  });
  const prefPrompts = await addPrompts(db, prefSet.id, toPromptInputs("coconot_pref.jsonl", pref, index, "should_comply"));
  if (prefPrompts.conflicts.length) throw new Error(`coconot_pref.jsonl: ${prefPrompts.conflicts.length} prompt(s) differ from the stored ones`);
  report.prompts["coconot-pref"] = { created: prefPrompts.created, unchanged: prefPrompts.unchanged };
  const judge = await ensureJudge(db, {
    name: "coconot-pref-construction",
    kind: "reference",
    version: "1",
    config: { rule: "chosen = complied, rejected = noncompliant (how CoCoNot built the pairs)" },
  });
  const sides = [
    { side: "chosen" as const, model: "gpt-4", description: "GPT-4 (chosen side of the CoCoNot preference pairs).", verdict: "complied" as const },
    {
      side: "rejected" as const,
      model: "coconot-pref-rejected",
      description: "Noncompliant responses sampled from Llama-2 / Tulu-2 models; the model per pair is not recorded.",
      verdict: "noncompliant" as const,
    },
  ];
  for (const side of sides) {
    const m = await ensureModel(db, side.model, side.description);
    const r = await ensureRun(db, m.id, `coconot-pref ${side.side}`, { source: `${SOURCE}@25bf77cc:data/coconot_pref.jsonl`, side: side.side });
    const skipped: string[] = [];
    const responses = [];
    for (const { record } of pref) {
      const text = responseText(record[side.side]);
      if (text === null) skipped.push(record.id);
      else responses.push({ promptId: prefPrompts.ids.get(record.id)!, text });
    }
    report.skippedEmptyResponses.push({ file: `coconot_pref.jsonl (${side.side})`, ids: skipped });
    const added = await addResponses(db, r.id, responses);
    report.responses[`${side.model}/coconot-pref ${side.side}`] = { created: added.created, existing: added.existing };
    report.judgeLabelsCreated += await addJudgeLabels(
      db,
      judge.id,
      [...added.ids.values()].map((responseId) => ({
        responseId,
        verdict: side.verdict,
        rationale: `CoCoNot preference pair, ${side.side} side`,
      })),
    );
  }
}

/** Labels every demo response with the offline heuristic judge, so Results has numbers from the start. */
async function seedHeuristicLabels(db: DbTx, report: SeedReport): Promise<void> {
  const judge = await ensureJudge(db, { ...HEURISTIC_JUDGE, config: { rules: "lib/judges/heuristic.ts" } });
  const responses = await db.response.findMany({
    where: { judgeLabels: { none: { judgeId: judge.id } } },
    select: {
      id: true,
      text: true,
      prompt: { select: { text: true, expectation: true, subcategory: { select: { slug: true, category: { select: { slug: true } } } } } },
    },
  });
  report.judgeLabelsCreated += await addJudgeLabels(
    db,
    judge.id,
    responses.map((r) => {
      const j = judgeHeuristic({
        prompt: r.prompt.text,
        response: r.text,
        category: r.prompt.subcategory.category.slug,
        subcategory: r.prompt.subcategory.slug,
        expectation: r.prompt.expectation,
      });
      return { responseId: r.id, verdict: j.verdict, rationale: j.rationale };
    }),
  );
}

async function seedUsers(db: DbTx, report: SeedReport): Promise<void> {
  for (const u of DEMO_USERS) {
    const existing = await db.user.findUnique({ where: { email: u.email }, select: { id: true } });
    if (existing) continue;
    await insertUser(db, { email: u.email, name: u.name, role: u.role, passwordHash: await hashPassword(u.password) }, null, "demo");
    report.usersCreated.push(u.email);
  }
}

export const DEMO_QUEUE = "Demo: two per subcategory of the reference run (blind, k = 2)";

/** An open, blind queue so a newcomer can label at once (sign in as an annotator). Created once. */
async function seedQueue(db: DbTx): Promise<void> {
  if (await db.queue.findFirst({ where: { name: DEMO_QUEUE }, select: { id: true } })) return;
  const admin = await db.user.findUnique({ where: { email: DEMO_USERS.find((u) => u.role === "admin")!.email }, select: { id: true } });
  const run = await db.run.findFirst({ where: { name: "reference", model: { name: "coconot-reference" } }, select: { id: true } });
  if (!admin || !run) return;
  const selection = { kind: "stratified" as const, perCell: 2, seed: 1, runIds: [run.id] };
  const ids = await selectResponseIds(db, selection, 1000);
  await insertQueue(db, { name: DEMO_QUEUE, description: "Created by the demo seed.", k: 2, blind: true, selection }, [], ids, admin.id);
}

/** Loads the demo. All of it is written in one transaction: a failure leaves the database as it was. */
export async function seedDemo(db: Db, opts: { users?: boolean } = {}): Promise<SeedReport> {
  const report: SeedReport = { prompts: {}, responses: {}, skippedEmptyResponses: [], judgeLabelsCreated: 0, usersCreated: [], rubricVersionsCreated: 0 };
  await db.$transaction(
    async (tx) => {
      await seedData(tx, report);
      await seedHeuristicLabels(tx, report);
      if (opts.users ?? true) {
        await seedUsers(tx, report);
        await seedQueue(tx);
      }
    },
    { timeout: 10 * 60_000, maxWait: 60_000 },
  );
  return report;
}
