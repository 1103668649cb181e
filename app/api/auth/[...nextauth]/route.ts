import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { getAuthOptions } from "@/auth";

type Ctx = { params: Promise<{ nextauth: string[] }> };

// Options are built per request on first use (lib/env: the secret is resolved at run time, not at build).
async function handler(req: NextRequest, ctx: Ctx) {
  return NextAuth(getAuthOptions())(req, ctx);
}

export { handler as GET, handler as POST };
