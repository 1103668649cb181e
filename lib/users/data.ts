// Users and roles. Every change is audited in the same transaction.
import { createAuditEntry } from "../audit/data";
import type { Db, DbTx } from "../db";
import { AppError } from "../errors";
import { hashPassword } from "./password";
import { createUserSchema, updateUserSchema, type CreateUserInput, type RoleName, type UpdateUserInput } from "./schema";

/** What the UI may see of a user: never the password hash. */
export const userSelect = { id: true, email: true, name: true, role: true, active: true, createdAt: true } as const;

export async function createUser(db: Db, input: CreateUserInput, actorId: string | null) {
  const data = createUserSchema.parse(input);
  const passwordHash = await hashPassword(data.password);
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: data.email }, select: { id: true } });
    if (existing) throw new AppError("conflict", `A user with the email ${data.email} already exists.`);
    return insertUser(tx, { email: data.email, name: data.name, role: data.role, passwordHash }, actorId);
  });
}

/** Writes a user and its audit entry, inside the caller's transaction. Input is already validated and hashed. */
export async function insertUser(
  tx: DbTx,
  data: { email: string; name: string; role: RoleName; passwordHash: string },
  actorId: string | null,
  via?: string,
) {
  const user = await tx.user.create({ data, select: userSelect });
  await createAuditEntry(tx, {
    actorId,
    action: "user.create",
    entityType: "user",
    entityId: user.id,
    after: { email: user.email, name: user.name, role: user.role, ...(via ? { via } : {}) },
  });
  return user;
}

export async function listUsers(db: DbTx) {
  return db.user.findMany({ select: userSelect, orderBy: [{ role: "asc" }, { email: "asc" }] });
}

export async function getUserForSession(db: DbTx, id: string) {
  return db.user.findUnique({ where: { id }, select: { id: true, email: true, name: true, role: true, active: true } });
}

/** Changes a user's role or active flag. An admin cannot demote or deactivate the last active admin. */
export async function updateUser(db: Db, input: UpdateUserInput, actorId: string | null) {
  const data = updateUserSchema.parse(input);
  return db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: data.id }, select: userSelect });
    if (!before) throw new AppError("not_found", "That user does not exist (it may have been removed).");
    const losesAdmin =
      before.role === "admin" && before.active && ((data.role !== undefined && data.role !== "admin") || data.active === false);
    if (losesAdmin) {
      const admins = await tx.user.count({ where: { role: "admin", active: true } });
      if (admins <= 1) throw new AppError("conflict", "This is the last active admin: make another admin first.");
    }
    const after = await tx.user.update({
      where: { id: data.id },
      data: { role: data.role, active: data.active },
      select: userSelect,
    });
    await createAuditEntry(tx, {
      actorId,
      action: "user.update",
      entityType: "user",
      entityId: after.id,
      before: { role: before.role, active: before.active },
      after: { role: after.role, active: after.active },
    });
    return after;
  });
}
