import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { readJson } from "@/lib/http";
import { checkRate } from "@/lib/limits/limits";
import { createJob } from "@/lib/jobs/data";
import { listJobs } from "@/lib/jobs/queue";
import { nudgeWorkers } from "@/lib/jobs/worker";

export const dynamic = "force-dynamic";

/** Jobs, newest first (?before=<job id> for the next page), with progress and ETA. */
export const GET = apiRoute("/api/jobs", async (req) => {
  const before = req.nextUrl.searchParams.get("before") ?? undefined;
  return NextResponse.json(await listJobs(await getDb(), { before }));
});

/** Queues a judge or generation job: { kind: "judge" | "generate", params } (lib/jobs/schema.ts createJobSchema). */
export const POST = apiRoute("/api/jobs", async (req, { user }) => {
  const refused = checkRate("jobs", user.id);
  if (refused) throw refused;
  const created = await createJob(await getDb(), await readJson(req), user.id);
  nudgeWorkers(); // the in-app worker, if any, takes it now instead of at its next poll
  return NextResponse.json(created, { status: 201 });
});
