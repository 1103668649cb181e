// Rubric versions of a subcategory. An edit never changes a stored version: it adds version + 1, so judge labels
// keep pointing at the exact text they were made with (JudgeLabel.rubricVersionId).
import { createAuditEntry } from "../audit/data";
import type { Db, DbTx } from "../db";
import { AppError } from "../errors";
import { rubricUpdateSchema, type RubricUpdate } from "./rubric-schema";

export const rubricSelect = {
  id: true,
  subcategoryId: true,
  version: true,
  acceptable: true,
  unacceptable: true,
  rubricKey: true,
  createdAt: true,
  createdBy: { select: { id: true, name: true } },
} as const;

/** The latest rubric version of a subcategory, or null when it has none. */
export async function currentRubric(db: DbTx, subcategoryId: string) {
  return db.rubricVersion.findFirst({ where: { subcategoryId }, orderBy: { version: "desc" }, select: rubricSelect });
}

/** Every version of a subcategory's rubric, newest first. */
export async function listRubricVersions(db: DbTx, subcategoryId: string) {
  return db.rubricVersion.findMany({ where: { subcategoryId }, orderBy: { version: "desc" }, select: rubricSelect });
}

/** The latest rubric of each subcategory (all, or the ones given), keyed by subcategory id: for judge jobs. */
export async function currentRubrics(
  db: DbTx,
  subcategoryIds?: string[],
): Promise<Map<string, { id: string; version: number; acceptable: string; unacceptable: string }>> {
  const rows = await db.rubricVersion.findMany({
    where: subcategoryIds ? { subcategoryId: { in: subcategoryIds } } : {},
    orderBy: [{ subcategoryId: "asc" }, { version: "desc" }],
    distinct: ["subcategoryId"],
    select: { id: true, subcategoryId: true, version: true, acceptable: true, unacceptable: true },
  });
  return new Map(rows.map(({ subcategoryId, ...r }) => [subcategoryId, r]));
}

/** How many rubric versions each subcategory has (the history count on the taxonomy page). */
export async function rubricVersionCounts(db: DbTx): Promise<Map<string, number>> {
  const rows = await db.rubricVersion.groupBy({ by: ["subcategoryId"], _count: { _all: true } });
  return new Map(rows.map((r) => [r.subcategoryId, r._count._all]));
}

/**
 * Saves an admin's edit as a new version (latest + 1, created by the actor) and audits it; earlier versions stay
 * as they are. Unchanged text saves nothing (`created: false`). With `baseVersion`, an edit made from an older
 * version than the latest is refused (conflict), so two admins cannot silently overwrite each other.
 */
export async function updateRubric(db: Db, subcategoryId: string, input: RubricUpdate, actorId: string) {
  const data = rubricUpdateSchema.parse(input);
  try {
    return await db.$transaction(async (tx) => {
      const actor = await tx.user.findUnique({ where: { id: actorId }, select: { role: true, active: true } });
      if (!actor || !actor.active || actor.role !== "admin") throw new AppError("forbidden", "Only an admin may edit rubrics.");
      const sub = await tx.subcategory.findUnique({ where: { id: subcategoryId }, select: { id: true, slug: true } });
      if (!sub) throw new AppError("not_found", "That subcategory does not exist.");
      const latest = await currentRubric(tx, subcategoryId);
      if (data.baseVersion !== undefined && latest && data.baseVersion !== latest.version) {
        throw new AppError(
          "conflict",
          `The rubric changed while you were editing (you started from version ${data.baseVersion}, the latest is ${latest.version}): reload and edit again.`,
        );
      }
      if (latest && latest.acceptable === data.acceptable && latest.unacceptable === data.unacceptable) {
        return { created: false, rubric: latest };
      }
      const rubric = await tx.rubricVersion.create({
        data: {
          subcategoryId,
          version: (latest?.version ?? 0) + 1,
          acceptable: data.acceptable,
          unacceptable: data.unacceptable,
          rubricKey: latest?.rubricKey ?? sub.slug,
          createdById: actorId,
        },
        select: rubricSelect,
      });
      await createAuditEntry(tx, {
        actorId,
        action: "rubric.update",
        entityType: "subcategory",
        entityId: subcategoryId,
        before: latest ? { version: latest.version, acceptable: latest.acceptable, unacceptable: latest.unacceptable } : null,
        after: { version: rubric.version, acceptable: rubric.acceptable, unacceptable: rubric.unacceptable },
      });
      return { created: true, rubric };
    });
  } catch (err) {
    // Two saves of the same version at once: the unique (subcategoryId, version) lets one through.
    const e = err as { code?: string; message?: string };
    if (e?.code === "P2002" || /23505|Unique constraint/i.test(`${e?.code ?? ""} ${e?.message ?? ""}`)) {
      throw new AppError("conflict", "Another admin saved this rubric at the same moment: reload and edit again.");
    }
    throw err;
  }
}
