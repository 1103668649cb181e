import { NextResponse } from "next/server";
import { z } from "zod";
import { apiRoute } from "@/lib/auth/session";
import { getOpenedDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { readJson, zodMessage } from "@/lib/http";
import { closeQueue, labelDistribution, listQueues } from "@/lib/queues/data";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** The queue with its progress and how many items have 0, 1, … k labels. */
export const GET = apiRoute<Ctx>("/api/queues/[id]", async (_req, { params, user }) => {
  const { id } = await params;
  const db = (await getOpenedDb()).db;
  const [queue] = await listQueues(db, user, { id });
  if (!queue) throw new AppError("not_found", `No queue ${id}.`);
  return NextResponse.json({ ...queue, distribution: await labelDistribution(db, id) });
});

const patchSchema = z.object({ status: z.enum(["open", "closed"]) }).strict();

export const PATCH = apiRoute<Ctx>("/api/queues/[id]", async (req, { params, user }) => {
  const { id } = await params;
  const parsed = patchSchema.safeParse(await readJson(req));
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error));
  return NextResponse.json(await closeQueue((await getOpenedDb()).db, id, user.id, parsed.data.status));
});
