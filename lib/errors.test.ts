// The one mapping of errors to HTTP answers: expected failures keep their status; a database that cannot be
// reached is a 503 the client may retry, recognised from the shapes node-postgres and Prisma's pg adapter give it
// (the same shapes lib/outage.faults.test.ts collects from a real server); anything else is a 500 that says nothing.
import { describe, expect, it } from "vitest";
import { AppError, DATABASE_UNAVAILABLE_MESSAGE, errorBody, httpStatus, isDatabaseUnavailable } from "./errors";

const withCode = (message: string, code: string, extra: object = {}) => Object.assign(new Error(message), { code, ...extra });
/** As Prisma throws it: PrismaClientKnownRequestError with the adapter's description of the pg error in meta. */
const prisma = (code: string, cause: object, message = "Invalid `prisma.$queryRaw()` invocation") =>
  Object.assign(new Error(message), { name: "PrismaClientKnownRequestError", code, meta: { driverAdapterError: { name: "DriverAdapterError", cause } } });

describe("isDatabaseUnavailable", () => {
  it.each([
    ["pg: server shutting down the session (57P01)", withCode("terminating connection due to administrator command", "57P01", { severity: "FATAL" })],
    ["pg: crash of another backend (57P02)", withCode("terminating connection because of crash of another server process", "57P02")],
    ["pg: server starting up or shutting down (57P03)", withCode("the database system is shutting down", "57P03")],
    ["pg: connection failure (08006)", withCode("connection failure", "08006")],
    ["pg: refused", withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED", { errno: -111, syscall: "connect" })],
    ["pg: reset", withCode("read ECONNRESET", "ECONNRESET", { syscall: "read" })],
    ["pg: socket closed", new Error("Connection terminated unexpectedly")],
    ["pg: a client used after its connection died", new Error("Client was closed and is not queryable")],
    ["Prisma: can't reach (P1001)", prisma("P1001", { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 }, "Can't reach database server at 127.0.0.1:5432")],
    ["Prisma: closed (P1017)", prisma("P1017", { kind: "ConnectionClosed" }, "Server has closed the connection.")],
    ["Prisma raw: 57P01 inside P2010", prisma("P2010", { kind: "postgres", code: "57P01", originalCode: "57P01", message: "terminating connection due to administrator command" })],
    ["Prisma raw: not reachable inside P2010", prisma("P2010", { kind: "DatabaseNotReachable" })],
  ])("%s", (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(httpStatus(err)).toBe(503);
    expect(errorBody(err)).toEqual({ error: { code: "database_unavailable", message: DATABASE_UNAVAILABLE_MESSAGE } });
  });

  it.each([
    ["an expected failure", new AppError("conflict", "This item already has its 2 labels.")],
    ["a bug", new TypeError("Cannot read properties of undefined (reading 'id')")],
    ["a unique violation", prisma("P2002", { kind: "UniqueConstraintViolation" }, "Unique constraint failed")],
    ["a raw query's syntax error", prisma("P2010", { kind: "postgres", code: "42601", originalCode: "42601" }, "Raw query failed. Code: `42601`")],
    // The LLM endpoint or any other HTTP service being down is not the database being down.
    ["the LLM endpoint refusing", Object.assign(new Error("could not reach http://llm.local/v1: ECONNREFUSED"), { name: "LlmError" })],
    ["fetch refused", Object.assign(new TypeError("fetch failed"), { cause: withCode("connect ECONNREFUSED 127.0.0.1:3999", "ECONNREFUSED") })],
    ["nothing", undefined],
  ])("not %s", (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
    expect(httpStatus(err)).not.toBe(503);
  });

  it("keeps an AppError's status and says nothing about an unexpected error", () => {
    expect(httpStatus(new AppError("not_found", "x"))).toBe(404);
    expect(httpStatus(new Error("boom"))).toBe(500);
    expect(errorBody(new Error("secret detail"))).toEqual({ error: { code: "internal", message: "Something went wrong on the server; it has been logged." } });
  });
});
