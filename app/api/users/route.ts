import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createUser, listUsers } from "@/lib/users/data";
import { createUserSchema } from "@/lib/users/schema";
import { readJson, zodMessage } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = apiRoute("/api/users", async () => NextResponse.json({ items: await listUsers(await getDb()) }));

export const POST = apiRoute("/api/users", async (req, { user }) => {
  const parsed = createUserSchema.safeParse(await readJson(req));
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error), parsed.error.issues);
  const created = await createUser(await getDb(), parsed.data, user.id);
  return NextResponse.json(created, { status: 201 });
});
