// Runs before every page: a fresh CSP nonce per request. Next reads the nonce from the request's
// Content-Security-Policy header and puts it on the scripts it renders; the browser gets the same policy,
// so a script injected by content (a model's response, an imported file) cannot run.
import { NextResponse, type NextRequest } from "next/server";
import { createNonce, pageCsp } from "./lib/security/csp";

export function proxy(request: NextRequest) {
  const csp = pageCsp(createNonce(), { dev: process.env.NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  // Pages only: API answers and static files get the fixed policy of next.config.js.
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon.ico).*)" }],
};
