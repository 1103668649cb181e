// What a database outage looks like to the app's code, on a throw-away server (lib/test/pg-server.ts): every error
// the drivers raise while PostgreSQL restarts, crashes or is down (node-postgres directly, Prisma through its pg
// driver adapter, inside and outside transactions) becomes a 503 with "your work so far is saved — retry", never a
// 500; the process survives the dropped connections, and the same pool serves afterwards with all its connections.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type OpenedDb } from "./db";
import { DATABASE_UNAVAILABLE_MESSAGE, errorBody, httpStatus, isDatabaseUnavailable } from "./errors";
import { pgServerUnavailable, startPgServer, type PgServer } from "./test/pg-server";

const unavailable = pgServerUnavailable();

let server: PgServer;
let url: string;
let o: OpenedDb;
beforeAll(async () => {
  if (unavailable) return;
  server = await startPgServer();
  url = await server.createDatabase();
  o = await openDb({ url });
});
afterAll(async () => {
  await o?.close();
  await server?.destroy();
});

const failure = (p: Promise<unknown>) => p.then(() => new Error("it succeeded"), (e: unknown) => e);

/** Statements in flight when the server goes: Prisma (plain, raw, in a transaction) and node-postgres. */
function inFlight() {
  return {
    prismaRaw: failure(o.db.$queryRaw`SELECT pg_sleep(5)`),
    prismaTransaction: failure(o.db.$transaction(async (tx) => tx.$queryRaw`SELECT pg_sleep(5)`, { timeout: 20_000 })),
    pg: failure(o.sql.query("SELECT pg_sleep(5)")),
  };
}

describe.skipIf(Boolean(unavailable))(`database outages seen by the app${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("maps every error of a restart, a crash and a down server to 503, and the same pool serves afterwards", async () => {
    const seen: Record<string, unknown> = {};
    const wait = () => new Promise((r) => setTimeout(r, 300)); // the statements reach the server

    // A restart: sessions are terminated (57P01), new connections refused while it shuts down (57P03).
    let running = inFlight();
    await wait();
    await server.stop("fast");
    for (const [k, v] of Object.entries(running)) seen[`restart: ${k}`] = await v;

    // Down: nothing listens.
    seen["down: prisma model query"] = await failure(o.db.user.count());
    seen["down: prisma raw"] = await failure(o.db.$queryRaw`SELECT 1`);
    seen["down: prisma transaction"] = await failure(o.db.$transaction(async (tx) => tx.user.count()));
    seen["down: prisma batch"] = await failure(o.db.$transaction([o.db.user.count()]));
    seen["down: pg pool"] = await failure(o.sql.query("SELECT 1"));
    seen["down: pg client"] = await failure(new pg.Client({ connectionString: url }).connect());
    await server.start();

    // A crash: connections drop without a word.
    running = inFlight();
    await wait();
    await server.stop("immediate");
    for (const [k, v] of Object.entries(running)) seen[`crash: ${k}`] = await v;
    await server.start();

    const unmapped = Object.entries(seen).filter(([, err]) => !isDatabaseUnavailable(err)).map(([k, err]) => `${k}: ${(err as Error).message}`);
    expect(unmapped).toEqual([]);
    for (const err of Object.values(seen)) {
      expect(httpStatus(err)).toBe(503);
      expect(errorBody(err)).toEqual({ error: { code: "database_unavailable", message: DATABASE_UNAVAILABLE_MESSAGE } });
    }

    // The same client and pool, without reopening: both answer, and all ten connections can be held at once (a
    // connection lost inside a transaction went back to the pool instead of leaking; see PrismaPgReleasing).
    expect(await o.db.user.count()).toBe(0);
    expect((await o.sql.query<{ x: number }>("SELECT 1 AS x")).rows).toEqual([{ x: 1 }]);
    let inside = 0;
    const allInside = async () => {
      for (let i = 0; inside < 10; i++) {
        if (i > 500) throw new Error(`only ${inside} of 10 transactions got a connection`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const held = await Promise.all(
      Array.from({ length: 10 }, () =>
        o.db.$transaction(async (tx) => {
          await tx.$queryRaw`SELECT 1`;
          inside++;
          await allInside();
          return true;
        }, { timeout: 20_000, maxWait: 20_000 }),
      ),
    );
    expect(held).toHaveLength(10);
  });
});
