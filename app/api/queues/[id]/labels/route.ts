import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { getOpenedDb } from "@/lib/db";
import { readJson } from "@/lib/http";
import { getProgress, submitLabel, undoLast } from "@/lib/queues/data";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** Submits a label: { itemId, verdict, note?, durationMs? }. Answers with the judges' verdicts to reveal. */
export const POST = apiRoute<Ctx>("/api/queues/[id]/labels", async (req, { params, user }) => {
  const { id } = await params;
  return NextResponse.json(await submitLabel(await getOpenedDb(), id, user, await readJson(req)), { status: 201 });
});

/** Undoes the annotator's most recent label in this queue and returns that item again. */
export const DELETE = apiRoute<Ctx>("/api/queues/[id]/labels", async (_req, { params, user }) => {
  const { id } = await params;
  const opened = await getOpenedDb();
  const item = await undoLast(opened, id, user);
  return NextResponse.json({ item, progress: await getProgress(opened.db, id, user.id) });
});
