import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { getOpenedDb } from "@/lib/db";
import { readJson } from "@/lib/http";
import { checkRate } from "@/lib/limits/limits";
import { createQueue, listQueues } from "@/lib/queues/data";
import type { CreateQueueInput } from "@/lib/queues/schema";

export const dynamic = "force-dynamic";

export const GET = apiRoute("/api/queues", async (_req, { user }) => NextResponse.json({ items: await listQueues((await getOpenedDb()).db, user) }));

/** Body: lib/queues/schema.ts createQueueSchema. Validation errors name the field. */
export const POST = apiRoute("/api/queues", async (req, { user }) => {
  const refused = checkRate("queues", user.id);
  if (refused) throw refused;
  const created = await createQueue(await getOpenedDb(), (await readJson(req)) as CreateQueueInput, user.id);
  return NextResponse.json(created, { status: 201 });
});
