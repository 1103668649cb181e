// Queues: assignment (exactly k labels per item, never twice by one annotator), reservation expiry,
// concurrent submits, undo and skip; adjudication conflicts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPrompts, ensureDataset } from "../datasets/data";
import { addJudgeLabels, ensureJudge } from "../judges/data";
import { addResponses, ensureModel, ensureRun } from "../responses/data";
import { COCONOT_TAXONOMY } from "../taxonomy/coconot";
import { getSubcategoryIndex, upsertTaxonomy } from "../taxonomy/data";
import { createTestDb, type TestDb } from "../test/db";
import { AppError } from "../errors";
import { claimItems, createQueue, getProgress, labelDistribution, selectResponseIds, skipItem, submitLabel, undoLast } from "./data";
import { adjudicate, listDisagreements } from "./adjudication";
import { RESERVATION_MS } from "./schema";

let t: TestDb;
let responses: string[] = [];
let runIds: string[] = [];
let judgeId = "";
const annotators: { id: string; role: "annotator" }[] = [];
let researcher = { id: "", role: "researcher" as const };

beforeAll(async () => {
  t = await createTestDb();
  const rubric = Object.fromEntries(COCONOT_TAXONOMY.flatMap((c) => c.subcategories).map((s) => [s.rubricKey, { refusal: "r", compliance: "c" }]));
  await upsertTaxonomy(t.db, COCONOT_TAXONOMY, rubric);
  const subs = [...(await getSubcategoryIndex(t.db)).values()].slice(0, 3);
  const ds = await ensureDataset(t.db, { slug: "d1", name: "D1" });
  const added = await addPrompts(
    t.db,
    ds.id,
    Array.from({ length: 30 }, (_, i) => ({ externalId: `p${i}`, text: `prompt ${i}`, subcategoryId: subs[i % 3], expectation: "should_not_comply" as const })),
  );
  for (const name of ["m1", "m2"]) {
    const run = await ensureRun(t.db, (await ensureModel(t.db, name)).id, "run");
    runIds.push(run.id);
    const r = await addResponses(t.db, run.id, [...added.ids.values()].map((promptId) => ({ promptId, text: `answer of ${name}` })));
    responses.push(...r.ids.values());
  }
  judgeId = (await ensureJudge(t.db, { name: "h", kind: "heuristic", version: "1" })).id;
  await addJudgeLabels(
    t.db,
    judgeId,
    responses.map((responseId, i) => ({ responseId, verdict: i % 5 === 0 ? "unclear" : i % 2 ? "complied" : "noncompliant", rationale: `cue ${i}` })),
  );
  for (let i = 0; i < 8; i++) {
    const u = await t.db.user.create({ data: { email: `a${i}@x.org`, name: `A${i}`, role: "annotator", passwordHash: "!" } });
    annotators.push({ id: u.id, role: "annotator" });
  }
  researcher = { id: (await t.db.user.create({ data: { email: "r@x.org", name: "R", role: "researcher", passwordHash: "!" } })).id, role: "researcher" };
});
afterAll(async () => t?.close());

let fresh = 0;
async function freshAnnotator() {
  const u = await t.db.user.create({ data: { email: `fresh${++fresh}@x.org`, name: `F${fresh}`, role: "annotator", passwordHash: "!" } });
  return { id: u.id, role: "annotator" as const };
}

async function expectAppError(p: Promise<unknown>, code: string, message?: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  if (message) expect((err as AppError).message).toMatch(message);
}

describe("selections", () => {
  it("stratified: at most N per subcategory × run, reproducible from the seed", async () => {
    const a = await selectResponseIds(t.db, { kind: "stratified", perCell: 2, seed: 7 }, 1000);
    const b = await selectResponseIds(t.db, { kind: "stratified", perCell: 2, seed: 7 }, 1000);
    const c = await selectResponseIds(t.db, { kind: "stratified", perCell: 2, seed: 8 }, 1000);
    expect(a).toEqual(b);
    expect(new Set(a)).not.toEqual(new Set(c));
    expect(a).toHaveLength(3 * 2 * 2); // 3 subcategories × 2 runs × 2
    const limited = await createQueue(t, { name: "limited", k: 1, limit: 5, selection: { kind: "stratified", perCell: 2, seed: 7 } }, researcher.id);
    expect(limited.itemCount).toBe(5);
    const items = await t.db.queueItem.findMany({ where: { queueId: limited.id }, orderBy: { position: "asc" }, select: { responseId: true } });
    expect(items.map((i) => i.responseId)).toEqual(a.slice(0, 5));
    const { rows } = await t.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId" WHERE r.id = ANY($1) GROUP BY p."subcategoryId", r."runId"`,
      [a],
    );
    expect(rows.map((r) => r.n)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it("judge unclear and disagreements select exactly those responses", async () => {
    const unclear = await selectResponseIds(t.db, { kind: "judge_unclear", judgeId }, 1000);
    expect(unclear.sort()).toEqual(responses.filter((_, i) => i % 5 === 0).sort());
    const restricted = await selectResponseIds(t.db, { kind: "judge_unclear", judgeId, runIds: [runIds[0]] }, 1000);
    expect(restricted.sort()).toEqual(responses.slice(0, 30).filter((_, i) => i % 5 === 0).sort());
    expect(await selectResponseIds(t.db, { kind: "disagreements", judgeId }, 1000)).toEqual([]);
  });

  it("a browse selection is what Browse shows", async () => {
    const ids = await selectResponseIds(t.db, { kind: "browse", filter: { run: runIds[1], judge: judgeId, judgeVerdict: "complied" } }, 1000);
    expect(ids.sort()).toEqual(responses.slice(30).filter((_, i) => (i + 30) % 5 !== 0 && (i + 30) % 2 === 1).sort());
  });

  it("refuses an empty selection, a k larger than the annotators, and unknown assignees; writes nothing", async () => {
    const before = await t.db.queue.count();
    await expectAppError(createQueue(t, { name: "x", k: 1, selection: { kind: "judge_unclear", judgeId: "nope" } }, researcher.id), "bad_request", /matches no responses/);
    await expectAppError(
      createQueue(t, { name: "x", k: 3, assignees: [annotators[0].id, annotators[1].id], selection: { kind: "stratified", perCell: 1 } }, researcher.id),
      "bad_request",
      /only 2 assigned/,
    );
    await expectAppError(createQueue(t, { name: "x", k: 1, assignees: ["ghost"], selection: { kind: "stratified", perCell: 1 } }, researcher.id), "bad_request", /ghost/);
    await expectAppError(createQueue(t, { name: "", k: 0, selection: { kind: "stratified", perCell: 1 } }, researcher.id), "bad_request", /name.*k|k.*name/s);
    expect(await t.db.queue.count()).toBe(before);
  });
});

describe("annotating", () => {
  it("each item ends with exactly k labels from different annotators under concurrent annotators", async () => {
    const q = await createQueue(t, { name: "concurrent", k: 2, blind: true, selection: { kind: "stratified", perCell: 3, seed: 1 } }, researcher.id);
    expect(q.itemCount).toBe(18);
    // 8 annotators loop claim → submit until nothing is left, all at once.
    const submitted = await Promise.all(
      annotators.map(async (a, n) => {
        let count = 0;
        for (;;) {
          const items = await claimItems(t, q.id, a, { count: 2 });
          if (!items.length) return count;
          for (const item of items) {
            expect(item.judges).toBeUndefined(); // blind
            expect(item.others).toBeUndefined();
            await submitLabel(t, q.id, a, { itemId: item.itemId, verdict: n % 2 ? "complied" : "noncompliant", durationMs: 1000 });
            count++;
          }
        }
      }),
    );
    expect(submitted.reduce((s, n) => s + n, 0)).toBe(36);
    expect(await labelDistribution(t.db, q.id)).toEqual([{ labels: 2, items: 18 }]);
    const { rows } = await t.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "QueueLabel" l JOIN "QueueItem" qi ON qi.id = l."queueItemId" WHERE qi."queueId" = $1 GROUP BY qi.id, l."annotatorId" HAVING count(*) > 1`,
      [q.id],
    );
    expect(rows).toEqual([]);
    // Queue labels are human labels: 36 of them on these responses, no more.
    const { rows: [h] } = await t.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "HumanLabel" h JOIN "QueueItem" qi ON qi."responseId" = h."responseId" WHERE qi."queueId" = $1`,
      [q.id],
    );
    expect(h.n).toBe(36);
  });

  it("a reservation holds the slot until it expires, then another annotator gets it", async () => {
    const q = await createQueue(t, { name: "expiry", k: 1, blind: false, selection: { kind: "judge_unclear", judgeId, runIds: [runIds[0]] } }, researcher.id);
    let clock = new Date("2026-01-01T10:00:00Z").getTime();
    const now = () => new Date(clock);
    const [a, b] = [await freshAnnotator(), await freshAnnotator()];
    const first = await claimItems(t, q.id, a, { count: 5 }, now);
    expect(first).toHaveLength(5);
    expect(first[0].judges?.length).toBe(1); // not blind: judge shown
    const firstIds = first.map((i) => i.itemId);
    // A reload gives the same items back.
    expect((await claimItems(t, q.id, a, { count: 5 }, now)).map((i) => i.itemId)).toEqual(firstIds);
    const others = await claimItems(t, q.id, b, { count: 5 }, now);
    expect(others.map((i) => i.itemId).filter((id) => firstIds.includes(id))).toEqual([]);
    expect(others).toHaveLength(1); // 6 unclear responses in run 1; a holds 5
    clock += RESERVATION_MS + 1;
    // Both reservations have expired: b now gets the five items a held (the first five by position).
    const later = await claimItems(t, q.id, b, { count: 5 }, now);
    expect(later.map((i) => i.itemId)).toEqual(firstIds);
    // a's reservation expired and b now holds the slot: a's late submit is refused and writes nothing.
    const taken = later.find((i) => firstIds.includes(i.itemId))!;
    await submitLabel(t, q.id, b, { itemId: taken.itemId, verdict: "partial" }, now);
    await expectAppError(submitLabel(t, q.id, a, { itemId: taken.itemId, verdict: "complied" }, now), "conflict", /already has its 1 label/);
    expect(await t.db.humanLabel.count({ where: { annotatorId: a.id, responseId: taken.responseId } })).toBe(0);
  });

  it("an annotator who already labelled a response elsewhere is never offered it", async () => {
    const [, , c] = annotators;
    const q1 = await createQueue(t, { name: "first", k: 1, selection: { kind: "judge_unclear", judgeId, runIds: [runIds[1]] } }, researcher.id);
    const items = await claimItems(t, q1.id, c, { count: 5 });
    for (const i of items) await submitLabel(t, q1.id, c, { itemId: i.itemId, verdict: "unclear" });
    const q2 = await createQueue(t, { name: "second", k: 2, selection: { kind: "judge_unclear", judgeId, runIds: [runIds[1]] } }, researcher.id);
    const again = await claimItems(t, q2.id, c, { count: 5 });
    const labelled = new Set(items.map((i) => i.responseId));
    expect(again.filter((i) => labelled.has(i.responseId))).toEqual([]);
  });

  it("undo takes back the last label, re-reserves the item; skip hides it from that annotator only", async () => {
    const [d, e] = [await freshAnnotator(), await freshAnnotator()];
    const q = await createQueue(t, { name: "undo", k: 1, selection: { kind: "stratified", perCell: 2, seed: 3, runIds: [runIds[0]] } }, researcher.id);
    const [one, two] = await claimItems(t, q.id, d, { count: 2 });
    await submitLabel(t, q.id, d, { itemId: one.itemId, verdict: "complied", note: "first" });
    const second = await submitLabel(t, q.id, d, { itemId: two.itemId, verdict: "partial" });
    expect(second.progress.mine).toBe(2);
    const back = await undoLast(t, q.id, d);
    expect(back?.itemId).toBe(two.itemId);
    expect(await t.db.humanLabel.count({ where: { annotatorId: d.id, responseId: two.responseId } })).toBe(0);
    expect((await getProgress(t.db, q.id, d.id)).mine).toBe(1);
    const audit = await t.db.auditLog.findFirst({ where: { action: "label.undo", entityId: two.responseId } });
    expect(audit?.before).toMatchObject({ verdict: "partial" });
    // Still reserved for d: e does not get it.
    expect((await claimItems(t, q.id, e, { count: 5 })).map((i) => i.itemId)).not.toContain(two.itemId);
    expect(await undoLast(t, q.id, e)).toBeNull(); // e has no labels here: nothing to undo
    await t.sql.query(`DELETE FROM "QueueReservation" WHERE "annotatorId" = $1`, [e.id]);
    await submitLabel(t, q.id, d, { itemId: two.itemId, verdict: "noncompliant" });
    // Skip: d never sees it again, someone else can take it.
    const [next] = await claimItems(t, q.id, d, { count: 1 });
    await skipItem(t, q.id, d, next.itemId);
    expect((await claimItems(t, q.id, d, { count: 5 })).map((i) => i.itemId)).not.toContain(next.itemId);
  });

  it("only assignees (or, without assignees, annotators) may label", async () => {
    const [a, b] = annotators;
    const q = await createQueue(t, { name: "assigned", k: 1, assignees: [a.id], selection: { kind: "stratified", perCell: 1, seed: 9 } }, researcher.id);
    await expectAppError(claimItems(t, q.id, b), "forbidden");
    expect((await claimItems(t, q.id, a, { count: 1 })).length).toBe(1);
    const open = await createQueue(t, { name: "open", k: 1, selection: { kind: "stratified", perCell: 1, seed: 9 } }, researcher.id);
    await expectAppError(claimItems(t, open.id, researcher), "forbidden");
  });

  it("repeating the same submit is harmless; a different verdict for the same item is refused", async () => {
    const f = await freshAnnotator();
    const q = await createQueue(t, { name: "retry", k: 2, selection: { kind: "stratified", perCell: 1, seed: 11 } }, researcher.id);
    const [item] = await claimItems(t, q.id, f, { count: 1 });
    const a = await submitLabel(t, q.id, f, { itemId: item.itemId, verdict: "complied" });
    const b = await submitLabel(t, q.id, f, { itemId: item.itemId, verdict: "complied" });
    expect(b.humanLabelId).toBe(a.humanLabelId);
    await expectAppError(submitLabel(t, q.id, f, { itemId: item.itemId, verdict: "partial" }), "conflict");
    expect(await labelDistribution(t.db, q.id)).toContainEqual({ labels: 1, items: 1 });
  });
});

describe("adjudication", () => {
  it("lists disagreements strongest first and refuses a second save on a stale version", async () => {
    // The "concurrent" queue left 18 responses with two human labels each (complied / noncompliant mixes).
    const { rows, total } = await listDisagreements(t.db, { judgeId, limit: 200 });
    expect(total).toBeGreaterThan(0);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].strength).toBeGreaterThanOrEqual(rows[i].strength);
    for (const r of rows) expect(new Set([...r.humanVerdicts, ...(r.judgeVerdict ? [r.judgeVerdict] : [])]).size).toBeGreaterThan(1);
    const target = rows[0].responseId;
    // Two adjudicators open the item (no adjudication yet) and both save.
    const results = await Promise.allSettled([
      adjudicate(t, { responseId: target, verdict: "noncompliant", reason: "missed_refusal", note: "one", expectedVersion: null }, researcher.id),
      adjudicate(t, { responseId: target, verdict: "complied", reason: "false_refusal", note: "two", expectedVersion: null }, annotators[0].id),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toBeInstanceOf(AppError);
    expect((refused[0].reason as AppError).code).toBe("conflict");
    const details = (refused[0].reason as AppError).details as { current: { version: number }; yours: { note: string } };
    expect(details.current.version).toBe(1);
    expect(["one", "two"]).toContain(details.yours.note);
    // The winner's decision is the stored one; the final verdict follows it.
    const stored = await t.db.adjudication.findUniqueOrThrow({ where: { responseId: target } });
    const final = await t.db.responseHumanFinal.findUniqueOrThrow({ where: { responseId: target } });
    expect(final).toMatchObject({ verdict: stored.verdict, source: "adjudicated" });
    // Updating with the right version works and writes an audit entry with before and after.
    await adjudicate(t, { responseId: target, verdict: "partial", reason: "partial_misread", note: "three", expectedVersion: 1 }, researcher.id);
    await expectAppError(adjudicate(t, { responseId: target, verdict: "unclear", reason: "other", expectedVersion: 1 }, researcher.id), "conflict");
    const audit = await t.db.auditLog.findMany({ where: { entityType: "adjudication", entityId: target }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["adjudication.create", "adjudication.update"]);
    expect(audit[1].before).toMatchObject({ verdict: stored.verdict, version: 1 });
    expect(audit[1].after).toMatchObject({ verdict: "partial", version: 2 });
    // Adjudicated items leave the open list.
    const after = await listDisagreements(t.db, { judgeId, limit: 200 });
    expect(after.rows.map((r) => r.responseId)).not.toContain(target);
    expect(after.total).toBe(total - 1);
  });
});
