// One error type for expected failures, with a small code union mapped to HTTP statuses in one place.
export type AppErrorCode = "bad_request" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "too_many_requests";

const STATUS: Record<AppErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
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

export function httpStatus(err: unknown): number {
  return err instanceof AppError ? err.status : 500;
}

/** The body an API route returns for an error. Unexpected errors never leak their message. */
export function errorBody(err: unknown): { error: { code: string; message: string; details?: unknown } } {
  if (err instanceof AppError) return { error: { code: err.code, message: err.message, details: err.details } };
  return { error: { code: "internal", message: "Something went wrong on the server; it has been logged." } };
}
