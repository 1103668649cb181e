// Annotation queues: creation from a selection, slot reservations, label submits, skips and undo.
//
// Invariants (DB tests in queues.db.test.ts check them under concurrency):
// - an item never has more than k queue labels, and never two from the same annotator;
// - an annotator never receives an item they already labelled (in this queue or elsewhere);
// - a slot is held by at most one live reservation: an item is offered only while
//   labelCount + live reservations of others < k. Every insert of a reservation or a label happens
//   while holding the item's row lock, and the check runs after taking the lock in a new statement
//   (READ COMMITTED: a fresh snapshot), so two annotators can never take the same slot.
import { randomUUID } from "node:crypto";
import type { DbTx, OpenedDb } from "../db";
import { Prisma, retryTransient } from "../db";
import { createAuditEntry } from "../audit/data";
import { AppError } from "../errors";
import { listResponses } from "../browse/data";
import { BROWSE_PAGE_SIZE, type BrowseFilter } from "../browse/schema";
import type { SessionUser } from "../auth/session";
import {
  claimSchema,
  createQueueSchema,
  MAX_QUEUE_ITEMS,
  RESERVATION_MS,
  submitSchema,
  type CreateQueueInput,
  type Selection,
  type VerdictName,
} from "./schema";

type Actor = Pick<SessionUser, "id" | "role">;

// ------------------------------------------------------------------------------------------ creation

/** Response ids a selection stands for, in queue order; at most `limit`. */
export async function selectResponseIds(db: DbTx, selection: Selection, limit: number): Promise<string[]> {
  if (selection.kind === "browse") return browseIds(db, selection.filter, limit);
  const w: Prisma.Sql[] = [];
  if (selection.datasetId) w.push(Prisma.sql`p."datasetId" = ${selection.datasetId}`);
  if (selection.runIds?.length) w.push(Prisma.sql`r."runId" IN (${Prisma.join(selection.runIds)})`);
  const and = w.length ? Prisma.sql`AND ${Prisma.join(w, " AND ")}` : Prisma.empty;
  let rows: { id: string }[];
  if (selection.kind === "stratified") {
    const seed = String(selection.seed);
    rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
      SELECT id FROM (
        SELECT r.id, md5(r.id || ${seed}) AS h,
               row_number() OVER (PARTITION BY p."subcategoryId", r."runId" ORDER BY md5(r.id || ${seed})) AS rn
        FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId"
        WHERE true ${and}
      ) x WHERE rn <= ${selection.perCell} ORDER BY h LIMIT ${limit}`);
  } else if (selection.kind === "judge_unclear") {
    rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
      SELECT r.id FROM "JudgeLabel" jl JOIN "Response" r ON r.id = jl."responseId" JOIN "Prompt" p ON p.id = r."promptId"
      WHERE jl."judgeId" = ${selection.judgeId} AND jl.verdict = 'unclear' ${and}
      ORDER BY r.id LIMIT ${limit}`);
  } else {
    rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
      SELECT r.id FROM "JudgeLabel" jl JOIN "ResponseHumanFinal" f ON f."responseId" = jl."responseId"
      JOIN "Response" r ON r.id = jl."responseId" JOIN "Prompt" p ON p.id = r."promptId"
      WHERE jl."judgeId" = ${selection.judgeId} AND jl.verdict <> f.verdict ${and}
      ORDER BY r.id LIMIT ${limit}`);
  }
  return rows.map((r) => r.id);
}

async function browseIds(db: DbTx, filter: BrowseFilter, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  const base = { ...filter, sort: "oldest" as const, after: undefined };
  while (ids.length < limit) {
    const page = await listResponses(db, after ? { ...base, after } : base);
    for (const r of page.items) ids.push(r.id);
    if (!page.nextCursor || page.items.length < BROWSE_PAGE_SIZE) break;
    after = page.nextCursor;
  }
  return ids.slice(0, limit);
}

/** Users who may label a queue: its assignees, or every active annotator when it has none. */
async function eligibleCount(db: DbTx, assignees: string[]): Promise<number> {
  if (assignees.length) return db.user.count({ where: { id: { in: assignees }, active: true } });
  return db.user.count({ where: { role: "annotator", active: true } });
}

export async function createQueue(opened: Pick<OpenedDb, "db">, raw: CreateQueueInput, actorId: string) {
  const parsed = createQueueSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("bad_request", parsed.error.issues.map((i) => `${i.path.join(".") || "queue"}: ${i.message}`).join("; "));
  const input = parsed.data;
  const assignees = [...new Set(input.assignees)];
  const db = opened.db;
  const known = assignees.length ? await db.user.findMany({ where: { id: { in: assignees } }, select: { id: true, active: true } }) : [];
  const unknown = assignees.filter((a) => !known.some((k) => k.id === a && k.active));
  if (unknown.length) throw new AppError("bad_request", `assignees: no active user with id ${unknown.map((u) => `"${u}"`).join(", ")}.`);
  const eligible = await eligibleCount(db, assignees);
  if (eligible < input.k) {
    throw new AppError(
      "bad_request",
      `k: each item needs ${input.k} labels from different annotators, but only ${eligible} ${assignees.length ? "assigned user(s) are" : "active annotator(s) exist"}; lower k or assign more annotators.`,
    );
  }
  const ids = await selectResponseIds(db, input.selection, input.limit ?? MAX_QUEUE_ITEMS + 1);
  if (ids.length === 0) throw new AppError("bad_request", "selection: it matches no responses; nothing was created.");
  if (ids.length > MAX_QUEUE_ITEMS) {
    throw new AppError("bad_request", `selection: it matches more than ${MAX_QUEUE_ITEMS.toLocaleString("en")} responses; narrow it or sample (stratified).`);
  }
  return db.$transaction((tx) => insertQueue(tx, input, assignees, ids, actorId), { timeout: 60_000 });
}

/** Writes a queue and its items (in the given order) inside the caller's transaction. */
export async function insertQueue(
  tx: DbTx,
  input: { name: string; description: string; k: number; blind: boolean; selection: Selection; limit?: number },
  assignees: string[],
  ids: string[],
  actorId: string,
): Promise<{ id: string; itemCount: number }> {
  const q = await tx.queue.create({
    data: {
      name: input.name,
      description: input.description,
      k: input.k,
      blind: input.blind,
      rule: { ...input.selection, ...(input.limit ? { limit: input.limit } : {}) } as Prisma.InputJsonValue,
      itemCount: ids.length,
      createdById: actorId,
      assignees: { create: assignees.map((userId) => ({ userId })) },
    },
    select: { id: true },
  });
  for (let i = 0; i < ids.length; i += 5000) {
    const chunk = ids.slice(i, i + 5000);
    await tx.$executeRaw(Prisma.sql`
      INSERT INTO "QueueItem" (id, "queueId", "responseId", position)
      SELECT 'qi_' || replace(gen_random_uuid()::text, '-', ''), ${q.id}, rid, ${i} + ord::int
      FROM unnest(${chunk}::text[]) WITH ORDINALITY AS t(rid, ord)`);
  }
  await createAuditEntry(tx, {
    actorId,
    action: "queue.create",
    entityType: "queue",
    entityId: q.id,
    after: { name: input.name, k: input.k, blind: input.blind, items: ids.length, assignees, selection: input.selection, limit: input.limit ?? null },
  });
  return { id: q.id, itemCount: ids.length };
}

export async function closeQueue(db: DbTx, queueId: string, actorId: string, status: "open" | "closed") {
  const q = await db.queue.update({ where: { id: queueId }, data: { status }, select: { id: true, status: true } }).catch(() => null);
  if (!q) throw new AppError("not_found", `No queue ${queueId}.`);
  await createAuditEntry(db, { actorId, action: `queue.${status === "closed" ? "close" : "reopen"}`, entityType: "queue", entityId: queueId, after: { status } });
  return q;
}

// ------------------------------------------------------------------------------------------ access

interface QueueRow {
  id: string;
  name: string;
  k: number;
  blind: boolean;
  status: "open" | "closed";
  itemCount: number;
  assigned: boolean; // the queue has assignees
  isAssignee: boolean;
}

async function loadQueue(db: DbTx, queueId: string, userId: string): Promise<QueueRow> {
  const [q] = await db.$queryRaw<QueueRow[]>(Prisma.sql`
    SELECT q.id, q.name, q.k, q.blind, q.status::text AS status, q."itemCount",
           EXISTS (SELECT 1 FROM "QueueAssignee" a WHERE a."queueId" = q.id) AS assigned,
           EXISTS (SELECT 1 FROM "QueueAssignee" a WHERE a."queueId" = q.id AND a."userId" = ${userId}) AS "isAssignee"
    FROM "Queue" q WHERE q.id = ${queueId}`);
  if (!q) throw new AppError("not_found", `No queue ${queueId}.`);
  return { ...q, k: Number(q.k), itemCount: Number(q.itemCount) };
}

/** Whether a user may label a queue: an assignee, or any annotator when the queue has no assignees. */
export function mayAnnotate(q: Pick<QueueRow, "assigned" | "isAssignee">, user: Actor): boolean {
  return q.assigned ? q.isAssignee : user.role === "annotator";
}

async function requireAnnotator(db: DbTx, queueId: string, user: Actor): Promise<QueueRow> {
  const q = await loadQueue(db, queueId, user.id);
  if (!mayAnnotate(q, user)) throw new AppError("forbidden", `You are not an annotator of queue "${q.name}".`);
  return q;
}

// ------------------------------------------------------------------------------------------ items

/** What the annotation page shows for one item. In blind mode nothing about other labels is included. */
export interface ItemView {
  itemId: string;
  responseId: string;
  position: number;
  expiresAt: string;
  prompt: string;
  response: string;
  expectation: "should_not_comply" | "should_comply";
  dataset: string;
  category: string;
  subcategory: { name: string; definition: string; expectedBehaviour: string };
  rubric: { version: number; acceptable: string; unacceptable: string } | null;
  /** Only when the queue is not blind. */
  judges?: JudgeView[];
  /** Only when the queue is not blind: other annotators' current labels. */
  others?: { annotator: string; verdict: VerdictName; note: string }[];
}

export interface JudgeView {
  judge: string;
  version: string;
  verdict: VerdictName;
  rationale: string;
}

async function itemViews(db: DbTx, rows: { itemId: string; expiresAt: Date }[], blind: boolean, userId: string): Promise<ItemView[]> {
  if (!rows.length) return [];
  const items = await db.$queryRaw<
    {
      id: string;
      position: number;
      responseId: string;
      response: string;
      prompt: string;
      expectation: ItemView["expectation"];
      dataset: string;
      category: string;
      subcategory: string;
      definition: string;
      expectedBehaviour: string;
      rubricVersion: number | null;
      acceptable: string | null;
      unacceptable: string | null;
    }[]
  >(Prisma.sql`
    SELECT qi.id, qi.position, r.id AS "responseId", r.text AS response, p.text AS prompt, p.expectation::text AS expectation,
           d.name AS dataset, c.name AS category, s.name AS subcategory, s.definition, s."expectedBehaviour",
           rv.version AS "rubricVersion", rv.acceptable, rv.unacceptable
    FROM "QueueItem" qi
    JOIN "Response" r ON r.id = qi."responseId"
    JOIN "Prompt" p ON p.id = r."promptId"
    JOIN "Dataset" d ON d.id = p."datasetId"
    JOIN "Subcategory" s ON s.id = p."subcategoryId"
    JOIN "Category" c ON c.id = s."categoryId"
    LEFT JOIN LATERAL (SELECT version, acceptable, unacceptable FROM "RubricVersion" v WHERE v."subcategoryId" = s.id ORDER BY version DESC LIMIT 1) rv ON true
    WHERE qi.id IN (${Prisma.join(rows.map((r) => r.itemId))})`);
  const byId = new Map(items.map((i) => [i.id, i]));
  const responseIds = items.map((i) => i.responseId);
  const judges = blind ? new Map<string, JudgeView[]>() : await judgeViews(db, responseIds);
  const others = new Map<string, ItemView["others"]>();
  if (!blind) {
    const labels = await db.humanLabel.findMany({
      where: { responseId: { in: responseIds }, annotatorId: { not: userId } },
      select: { responseId: true, verdict: true, note: true, annotator: { select: { name: true } } },
    });
    for (const l of labels) {
      const list = others.get(l.responseId) ?? [];
      list.push({ annotator: l.annotator.name, verdict: l.verdict, note: l.note });
      others.set(l.responseId, list);
    }
  }
  return rows.flatMap((r) => {
    const i = byId.get(r.itemId);
    if (!i) return [];
    const view: ItemView = {
      itemId: i.id,
      responseId: i.responseId,
      position: Number(i.position),
      expiresAt: r.expiresAt.toISOString(),
      prompt: i.prompt,
      response: i.response,
      expectation: i.expectation,
      dataset: i.dataset,
      category: i.category,
      subcategory: { name: i.subcategory, definition: i.definition, expectedBehaviour: i.expectedBehaviour },
      rubric: i.rubricVersion === null ? null : { version: Number(i.rubricVersion), acceptable: i.acceptable ?? "", unacceptable: i.unacceptable ?? "" },
    };
    if (!blind) {
      view.judges = judges.get(i.responseId) ?? [];
      view.others = others.get(i.responseId) ?? [];
    }
    return [view];
  });
}

export async function judgeViews(db: DbTx, responseIds: string[]): Promise<Map<string, JudgeView[]>> {
  const out = new Map<string, JudgeView[]>();
  if (!responseIds.length) return out;
  const labels = await db.$queryRaw<(JudgeView & { responseId: string })[]>(Prisma.sql`
    SELECT l."responseId", j.name AS judge, j.version, l.verdict::text AS verdict, l.rationale
    FROM "JudgeLabel" l JOIN "Judge" j ON j.id = l."judgeId"
    WHERE l."responseId" IN (${Prisma.join(responseIds)}) ORDER BY l."createdAt", j.name`);
  for (const { responseId, ...l } of labels) {
    const list = out.get(responseId) ?? [];
    list.push(l);
    out.set(responseId, list);
  }
  return out;
}

/**
 * The annotator's next items: their live reservations first (a reload shows the same item), then new
 * slots reserved for them, up to `count` (the page shows one and keeps the rest as prefetch).
 */
export async function claimItems(opened: Pick<OpenedDb, "db">, queueId: string, user: Actor, rawCount: unknown = {}, now = () => new Date()): Promise<ItemView[]> {
  const { count } = claimSchema.parse(rawCount ?? {});
  const q = await requireAnnotator(opened.db, queueId, user);
  if (q.status !== "open") throw new AppError("conflict", `Queue "${q.name}" is closed.`);
  const held = await opened.db.$queryRaw<{ itemId: string; expiresAt: Date }[]>(Prisma.sql`
    SELECT r."queueItemId" AS "itemId", r."expiresAt" FROM "QueueReservation" r JOIN "QueueItem" qi ON qi.id = r."queueItemId"
    WHERE qi."queueId" = ${queueId} AND r."annotatorId" = ${user.id} AND r."expiresAt" > ${now()}
    ORDER BY qi.position LIMIT ${count}`);
  const rows = [...held];
  const tried = new Set(rows.map((r) => r.itemId));
  // Candidates are read without locks, then each is locked (SKIP LOCKED: someone else is taking it)
  // and re-checked in a fresh statement before its reservation is written.
  for (let round = 0; rows.length < count && round < 5; round++) {
    const want = (count - rows.length) * 4 + 4;
    const candidates = await opened.db.$queryRaw<{ id: string }[]>(Prisma.sql`
      SELECT qi.id FROM "QueueItem" qi
      WHERE qi."queueId" = ${queueId} AND qi."labelCount" < ${q.k}
        AND NOT EXISTS (SELECT 1 FROM "QueueSkip" s WHERE s."queueItemId" = qi.id AND s."annotatorId" = ${user.id})
        AND ${slotFreeSql(q.k, user.id, now())}
        ${tried.size ? Prisma.sql`AND qi.id NOT IN (${Prisma.join([...tried])})` : Prisma.empty}
      ORDER BY qi.position LIMIT ${want}`);
    if (!candidates.length) break;
    for (const c of candidates) {
      if (rows.length >= count) break;
      tried.add(c.id);
      const got = await retryTransient(() => reserve(opened.db, c.id, q.k, user.id, now));
      if (got) rows.push(got);
    }
  }
  return itemViews(opened.db, rows, q.blind, user.id);
}

async function reserve(db: OpenedDb["db"], itemId: string, k: number, userId: string, now: () => Date) {
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>(Prisma.sql`SELECT id FROM "QueueItem" WHERE id = ${itemId} FOR UPDATE SKIP LOCKED`);
    if (!locked.length) return null;
    if (!(await slotFree(tx, itemId, k, userId, now()))) return null;
    const expiresAt = new Date(now().getTime() + RESERVATION_MS);
    await tx.$executeRaw(Prisma.sql`
      INSERT INTO "QueueReservation" ("queueItemId", "annotatorId", "expiresAt") VALUES (${itemId}, ${userId}, ${expiresAt})
      ON CONFLICT ("queueItemId", "annotatorId") DO UPDATE SET "expiresAt" = EXCLUDED."expiresAt"`);
    return { itemId, expiresAt };
  });
}

/**
 * The queue's one rule, as SQL over the item alias `qi`: `userId` may take (or keep) a slot of the item at
 * time `at` — fewer than k labels plus other annotators' live reservations, and no label of theirs on it here
 * or on its response anywhere. Decisive only under the item's row lock, in a statement after taking it.
 */
function slotFreeSql(k: number, userId: string, at: Date): Prisma.Sql {
  return Prisma.sql`(qi."labelCount" + (SELECT count(*) FROM "QueueReservation" fr WHERE fr."queueItemId" = qi.id AND fr."expiresAt" > ${at} AND fr."annotatorId" <> ${userId}) < ${k}
       AND NOT EXISTS (SELECT 1 FROM "QueueLabel" fl WHERE fl."queueItemId" = qi.id AND fl."annotatorId" = ${userId})
       AND NOT EXISTS (SELECT 1 FROM "HumanLabel" fh WHERE fh."responseId" = qi."responseId" AND fh."annotatorId" = ${userId}))`;
}

/** Under the item's row lock: may `userId` take (or keep) a slot of this item? */
async function slotFree(tx: DbTx, itemId: string, k: number, userId: string, at: Date): Promise<boolean> {
  const [s] = await tx.$queryRaw<{ free: boolean }[]>(Prisma.sql`SELECT ${slotFreeSql(k, userId, at)} AS free FROM "QueueItem" qi WHERE qi.id = ${itemId}`);
  return Boolean(s?.free);
}

export interface SubmitResult {
  humanLabelId: string;
  /** The judges' verdicts, revealed now that the annotator has submitted (blind or not). */
  reveal: JudgeView[];
  progress: Progress;
}

/**
 * Stores the annotator's label for an item. The item's row lock serialises submits and reservations
 * of one item; a submit whose reservation expired still counts if a slot is free, else it is refused
 * (409) with nothing written. Re-sending the same submit (a retry after a lost answer) is harmless.
 */
export async function submitLabel(opened: Pick<OpenedDb, "db">, queueId: string, user: Actor, raw: unknown, now = () => new Date()): Promise<SubmitResult> {
  const parsed = submitSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("bad_request", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const input = parsed.data;
  const q = await requireAnnotator(opened.db, queueId, user);
  if (q.status !== "open") throw new AppError("conflict", `Queue "${q.name}" is closed; your label was not saved.`);
  const saved = await retryTransient(() =>
    opened.db.$transaction(async (tx) => {
      const [item] = await tx.$queryRaw<{ id: string; responseId: string }[]>(Prisma.sql`
        SELECT id, "responseId" FROM "QueueItem" WHERE id = ${input.itemId} AND "queueId" = ${queueId} FOR UPDATE`);
      if (!item) throw new AppError("not_found", `Item ${input.itemId} is not in this queue.`);
      // After the lock, in a fresh statement: this annotator's label here, and whether a slot is free.
      const at = now();
      const [state] = await tx.$queryRaw<{ mineId: string | null; mineVerdict: string | null; free: boolean }[]>(Prisma.sql`
        SELECT l."humanLabelId" AS "mineId", h.verdict::text AS "mineVerdict",
               ${slotFreeSql(q.k, user.id, at)} AS free
        FROM "QueueItem" qi
        LEFT JOIN "QueueLabel" l ON l."queueItemId" = qi.id AND l."annotatorId" = ${user.id}
        LEFT JOIN "HumanLabel" h ON h.id = l."humanLabelId"
        WHERE qi.id = ${item.id}`);
      if (state.mineId) {
        if (state.mineVerdict === input.verdict) return { humanLabelId: state.mineId, responseId: item.responseId };
        throw new AppError("conflict", "You already labelled this item; press u to undo your last label and label it again.");
      }
      if (!state.free) {
        throw new AppError("conflict", `This item already has its ${q.k} label(s) (your reservation had expired); your label was not saved. The next item is ready.`);
      }
      // One statement writes the label, its first revision, the queue's count of it, and the audit entry.
      const audit = JSON.stringify({ verdict: input.verdict, note: input.note, queueId });
      const [row] = await tx.$queryRaw<{ id: string }[]>(Prisma.sql`
        WITH hl AS (
          INSERT INTO "HumanLabel" (id, "responseId", "annotatorId", verdict, note, "createdAt", "updatedAt")
          VALUES (${newId("hl")}, ${item.responseId}, ${user.id}, ${input.verdict}::"Verdict", ${input.note}, ${at}, ${at}) RETURNING id
        ), rev AS (
          INSERT INTO "HumanLabelRevision" (id, "humanLabelId", verdict, note, "changedById", "changedAt")
          SELECT ${newId("hr")}, id, ${input.verdict}::"Verdict", ${input.note}, ${user.id}, ${at} FROM hl
        ), ql AS (
          INSERT INTO "QueueLabel" ("queueItemId", "annotatorId", "humanLabelId", "durationMs", "createdAt")
          SELECT ${item.id}, ${user.id}, id, ${input.durationMs ?? null}::int, ${at} FROM hl
        ), counted AS (
          UPDATE "QueueItem" SET "labelCount" = "labelCount" + 1 WHERE id = ${item.id}
        ), released AS (
          DELETE FROM "QueueReservation" WHERE "queueItemId" = ${item.id} AND "annotatorId" = ${user.id}
        ), audited AS (
          INSERT INTO "AuditLog" (id, "actorId", action, "entityType", "entityId", before, after, "createdAt")
          VALUES (${newId("al")}, ${user.id}, 'label.create', 'response', ${item.responseId}, NULL, ${audit}::jsonb, ${at})
        )
        SELECT id FROM hl`);
      return { humanLabelId: row.id, responseId: item.responseId };
    }),
  );
  const [reveal, progress] = await Promise.all([judgeViews(opened.db, [saved.responseId]), getProgress(opened.db, queueId, user.id, now)]);
  return { humanLabelId: saved.humanLabelId, reveal: reveal.get(saved.responseId) ?? [], progress };
}

/** A primary key for rows written by raw SQL (Prisma writes cuids; any unique text works). */
function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, "")}`;
}

/** Not offered to this annotator again; the slot goes back to the pool. */
export async function skipItem(opened: Pick<OpenedDb, "db">, queueId: string, user: Actor, itemId: string): Promise<void> {
  await requireAnnotator(opened.db, queueId, user);
  const item = await opened.db.queueItem.findFirst({ where: { id: itemId, queueId }, select: { id: true } });
  if (!item) throw new AppError("not_found", `Item ${itemId} is not in this queue.`);
  await opened.db.$transaction([
    opened.db.$executeRaw(Prisma.sql`INSERT INTO "QueueSkip" ("queueItemId", "annotatorId") VALUES (${itemId}, ${user.id}) ON CONFLICT DO NOTHING`),
    opened.db.$executeRaw(Prisma.sql`DELETE FROM "QueueReservation" WHERE "queueItemId" = ${itemId} AND "annotatorId" = ${user.id}`),
  ]);
}

/**
 * Takes back the annotator's most recent label in this queue: the label is deleted (the audit log keeps
 * it), the slot is reserved for them again, and the item is returned so the page can show it.
 */
export async function undoLast(opened: Pick<OpenedDb, "db">, queueId: string, user: Actor, now = () => new Date()): Promise<ItemView | null> {
  const q = await requireAnnotator(opened.db, queueId, user);
  if (q.status !== "open") throw new AppError("conflict", `Queue "${q.name}" is closed.`);
  const undone = await retryTransient(() =>
    opened.db.$transaction(async (tx) => {
      const [last] = await tx.$queryRaw<{ itemId: string; humanLabelId: string }[]>(Prisma.sql`
        SELECT l."queueItemId" AS "itemId", l."humanLabelId" FROM "QueueLabel" l JOIN "QueueItem" qi ON qi.id = l."queueItemId"
        WHERE qi."queueId" = ${queueId} AND l."annotatorId" = ${user.id} ORDER BY l."createdAt" DESC LIMIT 1`);
      if (!last) return null;
      await tx.$queryRaw(Prisma.sql`SELECT id FROM "QueueItem" WHERE id = ${last.itemId} FOR UPDATE`);
      const label = await tx.humanLabel.findUnique({ where: { id: last.humanLabelId }, select: { responseId: true, verdict: true, note: true } });
      if (!label) return null;
      await tx.humanLabelRevision.deleteMany({ where: { humanLabelId: last.humanLabelId } });
      await tx.humanLabel.delete({ where: { id: last.humanLabelId } }); // cascades to the QueueLabel
      await tx.$executeRaw(Prisma.sql`UPDATE "QueueItem" SET "labelCount" = "labelCount" - 1 WHERE id = ${last.itemId}`);
      const expiresAt = new Date(now().getTime() + RESERVATION_MS);
      await tx.$executeRaw(Prisma.sql`
        INSERT INTO "QueueReservation" ("queueItemId", "annotatorId", "expiresAt") VALUES (${last.itemId}, ${user.id}, ${expiresAt})
        ON CONFLICT ("queueItemId", "annotatorId") DO UPDATE SET "expiresAt" = EXCLUDED."expiresAt"`);
      await createAuditEntry(tx, {
        actorId: user.id,
        action: "label.undo",
        entityType: "response",
        entityId: label.responseId,
        before: { verdict: label.verdict, note: label.note, queueId },
        after: null,
      });
      return { itemId: last.itemId, expiresAt };
    }),
  );
  if (!undone) return null;
  const [view] = await itemViews(opened.db, [undone], q.blind, user.id);
  return view ?? null;
}

// ------------------------------------------------------------------------------------------ progress

export interface Progress {
  /** Labels the queue has / needs (items × k). */
  labels: number;
  slots: number;
  /** This annotator's labels in this queue, and across all queues since midnight (server time). */
  mine: number;
  today: number;
}

export async function getProgress(db: DbTx, queueId: string, userId: string, now = () => new Date()): Promise<Progress> {
  const midnight = new Date(now());
  midnight.setHours(0, 0, 0, 0);
  const [row] = await db.$queryRaw<{ labels: number; slots: number; mine: number; today: number }[]>(Prisma.sql`
    SELECT (SELECT coalesce(sum("labelCount"), 0)::int FROM "QueueItem" WHERE "queueId" = ${queueId}) AS labels,
           (SELECT "itemCount" * k FROM "Queue" WHERE id = ${queueId})::int AS slots,
           (SELECT count(*)::int FROM "QueueLabel" l JOIN "QueueItem" qi ON qi.id = l."queueItemId"
              WHERE qi."queueId" = ${queueId} AND l."annotatorId" = ${userId}) AS mine,
           (SELECT count(*)::int FROM "QueueLabel" l WHERE l."annotatorId" = ${userId} AND l."createdAt" >= ${midnight}) AS today`);
  return { labels: Number(row.labels), slots: Number(row.slots ?? 0), mine: Number(row.mine), today: Number(row.today) };
}

export interface QueueSummary {
  id: string;
  name: string;
  description: string;
  k: number;
  blind: boolean;
  status: "open" | "closed";
  itemCount: number;
  labels: number;
  complete: number;
  createdAt: Date;
  createdBy: string;
  assignees: { id: string; name: string }[];
  mine: number;
}

/** Queues a user sees (or the one with `id`, if they see it): all for admins and researchers; the ones they may label for annotators. */
export async function listQueues(db: DbTx, user: Actor, opts: { id?: string } = {}): Promise<QueueSummary[]> {
  const manager = user.role !== "annotator";
  const visible = manager ? {} : { OR: [{ assignees: { some: { userId: user.id } } }, { assignees: { none: {} } }], status: "open" as const };
  const queues = await db.queue.findMany({
    where: opts.id ? { AND: [visible, { id: opts.id }] } : visible,
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      name: true,
      description: true,
      k: true,
      blind: true,
      status: true,
      itemCount: true,
      createdAt: true,
      createdBy: { select: { name: true } },
      assignees: { select: { user: { select: { id: true, name: true } } } },
    },
  });
  if (!queues.length) return [];
  const ids = queues.map((q) => q.id);
  const stats = await db.$queryRaw<{ queueId: string; labels: number; complete: number; mine: number }[]>(Prisma.sql`
    SELECT q.id AS "queueId",
           coalesce((SELECT sum("labelCount") FROM "QueueItem" qi WHERE qi."queueId" = q.id), 0)::int AS labels,
           (SELECT count(*) FROM "QueueItem" qi WHERE qi."queueId" = q.id AND qi."labelCount" >= q.k)::int AS complete,
           (SELECT count(*) FROM "QueueLabel" l JOIN "QueueItem" qi ON qi.id = l."queueItemId" WHERE qi."queueId" = q.id AND l."annotatorId" = ${user.id})::int AS mine
    FROM "Queue" q WHERE q.id IN (${Prisma.join(ids)})`);
  const byId = new Map(stats.map((s) => [s.queueId, s]));
  return queues.map((q) => ({
      id: q.id,
      name: q.name,
      description: q.description,
      k: q.k,
      blind: q.blind,
      status: q.status,
      itemCount: q.itemCount,
      createdAt: q.createdAt,
      createdBy: q.createdBy.name,
      assignees: q.assignees.map((a) => a.user),
      labels: Number(byId.get(q.id)?.labels ?? 0),
      complete: Number(byId.get(q.id)?.complete ?? 0),
      mine: Number(byId.get(q.id)?.mine ?? 0),
    }));
}

/** The queue header for the annotation page, or an error saying why this user may not label it. */
export async function getQueueForAnnotator(db: DbTx, queueId: string, user: Actor) {
  const q = await requireAnnotator(db, queueId, user);
  return { id: q.id, name: q.name, k: q.k, blind: q.blind, status: q.status, itemCount: q.itemCount, progress: await getProgress(db, queueId, user.id) };
}

/** Label counts per item: how many items have 0, 1, … k labels (the load test and the queue page use it). */
export async function labelDistribution(db: DbTx, queueId: string): Promise<{ labels: number; items: number }[]> {
  const rows = await db.$queryRaw<{ labels: number; items: number }[]>(Prisma.sql`
    SELECT "labelCount"::int AS labels, count(*)::int AS items FROM "QueueItem" WHERE "queueId" = ${queueId} GROUP BY 1 ORDER BY 1`);
  return rows.map((r) => ({ labels: Number(r.labels), items: Number(r.items) }));
}
