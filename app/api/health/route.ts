import { NextResponse } from "next/server";
import { getOpenedDb } from "@/lib/db";

export const dynamic = "force-dynamic";

/** Liveness and database reachability, for load balancers and start-up scripts. Reveals no data. */
export async function GET() {
  try {
    const { db, kind } = await getOpenedDb();
    await db.$queryRaw`SELECT 1`;
    return NextResponse.json({ ok: true, database: kind });
  } catch {
    return NextResponse.json({ ok: false, error: "database unreachable" }, { status: 503 });
  }
}
