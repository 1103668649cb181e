import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { getOverview } from "@/lib/overview/data";

export const dynamic = "force-dynamic";

export const GET = apiRoute("/api/overview", async () => NextResponse.json(await getOverview(await getDb())));
