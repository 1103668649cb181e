import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { readJson, zodMessage } from "@/lib/http";
import { updateUser } from "@/lib/users/data";
import { updateUserSchema } from "@/lib/users/schema";

export const dynamic = "force-dynamic";

export const PATCH = apiRoute<{ params: Promise<{ id: string }> }>("/api/users/[id]", async (req, { params, user }) => {
  const { id } = await params;
  const body = await readJson(req);
  const parsed = updateUserSchema.safeParse({ ...(body as object), id });
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error), parsed.error.issues);
  if (id === user.id && (parsed.data.role !== undefined || parsed.data.active === false)) {
    throw new AppError("conflict", "You cannot change your own role or deactivate yourself; ask another admin.");
  }
  return NextResponse.json(await updateUser(await getDb(), parsed.data, user.id));
});
