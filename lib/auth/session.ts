// Server-side guards. Pages call requirePage(path); API routes are wrapped in apiRoute(path, handler).
// Both take the allowed roles from lib/auth/access.ts and the role from the database, never the client.
import { getServerSession } from "next-auth";
import { forbidden, redirect } from "next/navigation";
import { NextResponse, type NextRequest } from "next/server";
import { getAuthOptions } from "../../auth";
import { getDb } from "../db";
import { AppError, errorBody, httpStatus, isDatabaseUnavailable } from "../errors";
import { log } from "../log";
import { getUserForSession } from "../users/data";
import { allows, routeEntry, type RoutePath } from "./access";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: "admin" | "researcher" | "annotator";
}

export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(getAuthOptions());
  const id = (session?.user as { id?: unknown } | undefined)?.id;
  if (typeof id !== "string") return null;
  const user = await getUserForSession(await getDb(), id);
  if (!user || !user.active) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** For pages: no session → sign-in page (coming back here after), wrong role → 403 page. */
export async function requirePage(path: RoutePath, returnTo: string = path): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`);
  if (!allows(routeEntry(path).roles, user.role)) forbidden();
  return user;
}

type Handler<C> = (req: NextRequest, ctx: C & { user: SessionUser }) => Promise<Response>;

/**
 * For route handlers: no session → 401, wrong role → 403, AppError → its status, the database unreachable → 503
 * (the client retries), anything else → 500 (logged).
 */
export function apiRoute<C extends object>(path: RoutePath, handler: Handler<C>) {
  return async (req: NextRequest, ctx: C): Promise<Response> => {
    try {
      const user = await getSessionUser();
      if (!user) throw new AppError("unauthorized", "Sign in first.");
      if (!allows(routeEntry(path).roles, user.role)) {
        throw new AppError("forbidden", `Your role (${user.role}) may not use ${req.method} ${path}.`);
      }
      return await handler(req, { ...ctx, user });
    } catch (err) {
      return errorResponse(err, { path, method: req.method });
    }
  };
}

/** An error as the route's answer. An outage is logged once per request as a warning, not as a bug. */
function errorResponse(err: unknown, where: { path: string; method: string }): Response {
  const unavailable = isDatabaseUnavailable(err);
  if (unavailable) log.warn({ err: (err as Error).message, ...where }, "database unreachable");
  else if (!(err instanceof AppError)) log.error({ err, ...where }, "route failed");
  return NextResponse.json(errorBody(err), { status: httpStatus(err), headers: retryAfter(err, unavailable) });
}

/** Seconds a client should wait: after an outage, or what a rate limit said (AppError details.retryAfterSeconds). */
function retryAfter(err: unknown, unavailable: boolean): Record<string, string> | undefined {
  if (unavailable) return { "Retry-After": "5" };
  const seconds = err instanceof AppError ? (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds : undefined;
  return typeof seconds === "number" && seconds > 0 ? { "Retry-After": String(Math.ceil(seconds)) } : undefined;
}

/** For server actions: the same checks, as an error the action turns into a message. */
export async function requireAction(path: RoutePath): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) throw new AppError("unauthorized", "Your session has ended: sign in again.");
  if (!allows(routeEntry(path).roles, user.role)) throw new AppError("forbidden", "Your role may not do this.");
  return user;
}
