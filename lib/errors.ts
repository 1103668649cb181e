// One error type for expected failures, with a small code union mapped to HTTP statuses in one place.
export type AppErrorCode = "bad_request" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "too_many_requests" | "database_unavailable";

const STATUS: Record<AppErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
  database_unavailable: 503,
};

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return STATUS[this.code];
  }
}

/**
 * What a user is told while the database is down or restarting. Every write is one transaction, so whatever
 * was answered with success before is stored, and what failed left nothing behind.
 */
export const DATABASE_UNAVAILABLE_MESSAGE = "The database is unreachable; your work so far is saved — retry in a moment.";

// SQLSTATE class 08 (connection exception), 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now.
const SQLSTATE = /^(08...|57P0[123])$/;
// Socket errors of the connection itself (node-postgres raises them with the syscall's code).
const SOCKET = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
// Prisma's driver-adapter error kinds and codes for the same (P1001 can't reach, P1002/P1008 timed out, P1017 closed).
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout"]);
const PRISMA = new Set(["P1001", "P1002", "P1008", "P1017"]);
// node-postgres and Prisma messages that carry no code.
const MESSAGE =
  /Connection terminated|terminating connection|the database system is (starting up|shutting down|not yet accepting connections|in recovery mode)|Can't reach database server|Server has closed the connection|Client has encountered a connection error|timeout exceeded when trying to connect|not queryable/i;

/**
 * Whether `err` says the database could not be reached or dropped the connection (server down, restarting,
 * network gone), as raised by node-postgres or by Prisma through its pg driver adapter. Such a failure is the
 * infrastructure's, not the request's or the job's: the same call succeeds once the server is back.
 * Only the database drivers' shapes are read (never a generic `cause`), so an HTTP call to another service that
 * is refused (the LLM endpoint) is not mistaken for the database.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== "object" || err instanceof AppError) return false;
  const e = err as { code?: unknown; message?: unknown; name?: unknown; meta?: { driverAdapterError?: unknown }; cause?: unknown };
  if (e.name === "LlmError" || e.name === "LlmHttpError") return false;
  const code = typeof e.code === "string" ? e.code : "";
  if (SQLSTATE.test(code) || SOCKET.has(code) || PRISMA.has(code)) return true;
  // Prisma: meta.driverAdapterError (a DriverAdapterError) whose cause is the adapter's description of the pg error.
  const adapter = (e.meta?.driverAdapterError ?? (e.name === "DriverAdapterError" ? err : undefined)) as { cause?: { kind?: unknown; code?: unknown; originalCode?: unknown } } | undefined;
  const cause = adapter?.cause;
  if (cause) {
    if (ADAPTER_KINDS.has(String(cause.kind))) return true;
    for (const c of [cause.code, cause.originalCode]) if (typeof c === "string" && (SQLSTATE.test(c) || SOCKET.has(c))) return true;
  }
  return typeof e.message === "string" && MESSAGE.test(e.message);
}

export function httpStatus(err: unknown): number {
  if (err instanceof AppError) return err.status;
  return isDatabaseUnavailable(err) ? STATUS.database_unavailable : 500;
}

/** The body an API route returns for an error. Unexpected errors never leak their message. */
export function errorBody(err: unknown): { error: { code: string; message: string; details?: unknown } } {
  if (err instanceof AppError) return { error: { code: err.code, message: err.message, details: err.details } };
  if (isDatabaseUnavailable(err)) return { error: { code: "database_unavailable", message: DATABASE_UNAVAILABLE_MESSAGE } };
  return { error: { code: "internal", message: "Something went wrong on the server; it has been logged." } };
}
