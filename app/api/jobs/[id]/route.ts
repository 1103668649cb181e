import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { cancelJob } from "@/lib/jobs/data";
import { getJobOrThrow } from "@/lib/jobs/queue";

export const dynamic = "force-dynamic";

/** One job with its params and its failed items. */
export const GET = apiRoute<{ params: Promise<{ id: string }> }>("/api/jobs/[id]", async (_req, { params }) => {
  const { id } = await params;
  return NextResponse.json(await getJobOrThrow(await getDb(), id));
});

/** Cancels the job: a queued one at once, a running one after the batch it is writing. */
export const DELETE = apiRoute<{ params: Promise<{ id: string }> }>("/api/jobs/[id]", async (_req, { params, user }) => {
  const { id } = await params;
  return NextResponse.json(await cancelJob(await getDb(), id, user.id));
});
