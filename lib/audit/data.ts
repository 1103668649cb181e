// The audit log: who changed what, when, from what to what. Written in the same transaction as the change.
import type { DbTx } from "../db";
import { Prisma } from "../db";

export interface AuditEntry {
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

const json = (v: unknown) => (v === undefined || v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));

export async function createAuditEntry(db: DbTx, e: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      actorId: e.actorId,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      before: json(e.before),
      after: json(e.after),
    },
  });
}

export async function listAuditEntries(db: DbTx, entityType: string, entityId: string) {
  return db.auditLog.findMany({
    where: { entityType, entityId },
    orderBy: { createdAt: "asc" },
    select: { id: true, actorId: true, action: true, before: true, after: true, createdAt: true },
  });
}
