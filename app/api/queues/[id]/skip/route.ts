import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { getOpenedDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { readJson, zodMessage } from "@/lib/http";
import { skipItem } from "@/lib/queues/data";
import { skipSchema } from "@/lib/queues/schema";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const POST = apiRoute<Ctx>("/api/queues/[id]/skip", async (req, { params, user }) => {
  const { id } = await params;
  const parsed = skipSchema.safeParse(await readJson(req));
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error));
  await skipItem(await getOpenedDb(), id, user, parsed.data.itemId);
  return NextResponse.json({ ok: true });
});
