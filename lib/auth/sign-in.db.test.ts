import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { createTestDb, type TestDb } from "../test/db";
import { createUser, updateUser } from "../users/data";
import { authenticate } from "./sign-in";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

const t0 = new Date("2026-03-01T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const code = (p: Promise<unknown>) => p.then(() => "ok", (e) => (e instanceof AppError ? e.code : String(e)));

describe("authenticate", () => {
  it("accepts the right password in any email case", async () => {
    await createUser(t.db, { email: "ok@example.org", name: "Ok", password: "right-password", role: "researcher" }, null);
    const u = await authenticate(t.db, "OK@example.org", "right-password", t0);
    expect(u).toMatchObject({ email: "ok@example.org", role: "researcher" });
  });

  it("slows down guessing: after three failures even the right password waits, then works", async () => {
    await createUser(t.db, { email: "target@example.org", name: "T", password: "right-password", role: "annotator" }, null);
    expect(await code(authenticate(t.db, "target@example.org", "guess-1", at(0)))).toBe("unauthorized");
    expect(await code(authenticate(t.db, "target@example.org", "guess-2", at(100)))).toBe("unauthorized");
    expect(await code(authenticate(t.db, "target@example.org", "guess-3", at(200)))).toBe("unauthorized");
    // 3 failures: the next attempt must wait 1 s after the last one.
    const early = await authenticate(t.db, "target@example.org", "right-password", at(700)).catch((e) => e);
    expect(early).toBeInstanceOf(AppError);
    expect((early as AppError).code).toBe("too_many_requests");
    expect((early as AppError).message).toBe("Too many failed sign-ins for this email. Try again in 1 s.");
    expect(await code(authenticate(t.db, "target@example.org", "right-password", at(1300)))).toBe("ok");
    // Success clears the count.
    const { rows } = await t.sql.query(`SELECT 1 FROM "SignInThrottle" WHERE key = 'target@example.org'`);
    expect(rows).toHaveLength(0);
  });

  it("counts failures for unknown addresses too, with the same message", async () => {
    const err = await authenticate(t.db, "nobody@example.org", "whatever-1", t0).catch((e) => e);
    expect((err as Error).message).toBe("Wrong email or password.");
    const { rows } = await t.sql.query<{ failures: number }>(`SELECT failures FROM "SignInThrottle" WHERE key = 'nobody@example.org'`);
    expect(rows[0].failures).toBe(1);
  });

  it("refuses a deactivated account", async () => {
    const u = await createUser(t.db, { email: "gone@example.org", name: "G", password: "right-password", role: "annotator" }, null);
    await updateUser(t.db, { id: u.id, active: false }, null);
    const err = await authenticate(t.db, "gone@example.org", "right-password", t0).catch((e) => e);
    expect((err as Error).message).toBe("This account is deactivated.");
  });
});
