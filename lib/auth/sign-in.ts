// Credential checks with throttling (lib/auth/throttle.ts), stored per e-mail address in the database
// so that every app instance sees the same count.
import type { Db } from "../db";
import { AppError } from "../errors";
import { verifyPassword } from "../users/password";
import { signInSchema } from "../users/schema";
import { afterFailure, retryAfterMs } from "./throttle";

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  role: "admin" | "researcher" | "annotator";
}

const INVALID = "Wrong email or password.";

export async function authenticate(db: Db, email: unknown, password: unknown, now = new Date()): Promise<SignedInUser> {
  const parsed = signInSchema.safeParse({ email, password });
  if (!parsed.success) throw new AppError("unauthorized", INVALID);
  const key = parsed.data.email;
  const state = await db.signInThrottle.findUnique({ where: { key } });
  const wait = retryAfterMs(state, now);
  if (wait > 0) {
    throw new AppError("too_many_requests", `Too many failed sign-ins for this email. Try again in ${Math.ceil(wait / 1000)} s.`);
  }
  const user = await db.user.findUnique({
    where: { email: key },
    select: { id: true, email: true, name: true, role: true, active: true, passwordHash: true },
  });
  const ok = await verifyPassword(parsed.data.password, user?.passwordHash ?? null);
  if (!ok || !user || !user.active) {
    const next = afterFailure(state, now);
    await db.signInThrottle.upsert({
      where: { key },
      create: { key, failures: next.failures, lastFailureAt: next.lastFailureAt },
      update: { failures: next.failures, lastFailureAt: next.lastFailureAt },
    });
    throw new AppError("unauthorized", user && ok && !user.active ? "This account is deactivated." : INVALID);
  }
  if (state) await db.signInThrottle.delete({ where: { key } }).catch(() => {});
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
