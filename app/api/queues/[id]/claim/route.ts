import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { getOpenedDb } from "@/lib/db";
import { readJson } from "@/lib/http";
import { claimItems } from "@/lib/queues/data";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** Reserves up to `count` items for the signed-in annotator (their live reservations first). */
export const POST = apiRoute<Ctx>("/api/queues/[id]/claim", async (req, { params, user }) => {
  const { id } = await params;
  const body = req.headers.get("content-length") === "0" ? {} : await readJson(req).catch(() => ({}));
  return NextResponse.json({ items: await claimItems(await getOpenedDb(), id, user, body) });
});
