// Server actions while the database is unreachable: the form gets the outage message, not "something went wrong".
import { describe, expect, it, vi } from "vitest";
import { DATABASE_UNAVAILABLE_MESSAGE } from "../errors";

vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
vi.mock("next-auth", () => ({ getServerSession: async () => ({ user: { id: "admin-1" } }) }));
vi.mock("@/auth", () => ({ getAuthOptions: () => ({}) }));
vi.mock("@/lib/db", () => ({
  getDb: async () => {
    throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
  },
}));

const { createUserAction, updateUserAction } = await import("./actions");
const { testLlmConnectionAction } = await import("../settings/actions");

describe("server actions during a database outage", () => {
  it("answer with the outage message", async () => {
    const input = { email: "new@example.org", name: "New", password: "long-enough-password", role: "annotator" };
    expect(await createUserAction(input)).toEqual({ ok: false, error: DATABASE_UNAVAILABLE_MESSAGE });
    expect(await updateUserAction({ id: "u1", role: "researcher" })).toEqual({ ok: false, error: DATABASE_UNAVAILABLE_MESSAGE });
    expect(await testLlmConnectionAction()).toEqual({ ok: false, error: DATABASE_UNAVAILABLE_MESSAGE });
  });
});
