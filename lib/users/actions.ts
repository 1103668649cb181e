"use server";
// Server actions of the user admin page. Each checks the caller's role on the server.
import { revalidatePath } from "next/cache";
import { requireAction } from "../auth/session";
import { getDb } from "../db";
import { AppError, errorBody, httpStatus } from "../errors";
import { log } from "../log";
import { createUser, updateUser } from "./data";
import { createUserSchema, updateUserSchema } from "./schema";

export type ActionResult = { ok: true } | { ok: false; error: string };

async function run(fn: () => Promise<unknown>): Promise<ActionResult> {
  try {
    await fn();
    revalidatePath("/admin/users");
    return { ok: true };
  } catch (err) {
    // Worded as API routes word it (lib/errors.ts): the AppError's message, the outage message, or "logged".
    if (httpStatus(err) === 500) log.error({ err }, "user action failed");
    return { ok: false, error: errorBody(err).error.message };
  }
}

function firstIssue(e: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const i = e.issues[0];
  return i.path.length ? `${String(i.path[0])}: ${i.message}` : i.message;
}

export async function createUserAction(input: unknown): Promise<ActionResult> {
  return run(async () => {
    const actor = await requireAction("/admin/users");
    const parsed = createUserSchema.safeParse(input);
    if (!parsed.success) throw new AppError("bad_request", firstIssue(parsed.error));
    await createUser(await getDb(), parsed.data, actor.id);
  });
}

export async function updateUserAction(input: unknown): Promise<ActionResult> {
  return run(async () => {
    const actor = await requireAction("/admin/users");
    const parsed = updateUserSchema.safeParse(input);
    if (!parsed.success) throw new AppError("bad_request", firstIssue(parsed.error));
    if (parsed.data.id === actor.id && (parsed.data.role !== undefined || parsed.data.active === false)) {
      throw new AppError("conflict", "You cannot change your own role or deactivate yourself; ask another admin.");
    }
    await updateUser(await getDb(), parsed.data, actor.id);
  });
}
