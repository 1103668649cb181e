import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { getOpenedDb } from "@/lib/db";
import { readJson } from "@/lib/http";
import { adjudicate } from "@/lib/queues/adjudication";

export const dynamic = "force-dynamic";

/** Body: { responseId, verdict, reason, note, expectedVersion }. 409 when someone saved in between. */
export const POST = apiRoute("/api/adjudications", async (req, { user }) =>
  NextResponse.json(await adjudicate(await getOpenedDb(), await readJson(req), user.id)),
);
