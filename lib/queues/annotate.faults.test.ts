// An annotation session while PostgreSQL restarts, then crashes, on a throw-away server (lib/test/pg-server.ts).
// Annotators claim and submit through the real route handlers (apiRoute → lib/queues), only the session cookie is
// faked. While the server is down every request answers 503 with "your work so far is saved — retry"; nothing is
// half-written; after each outage the same process, with the same pool, serves again; retried submits count once,
// and every item ends with exactly k labels from k different annotators.
import { AsyncLocalStorage } from "node:async_hooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "../db";
import { pgServerUnavailable, startPgServer, type PgServer } from "../test/pg-server";

const session = vi.hoisted(() => ({ user: null as { getStore(): string | undefined } | null }));
// The signed-in user comes from the context the request runs in (each annotator runs in its own).
vi.mock("next-auth", () => ({
  getServerSession: async () => {
    const id = session.user?.getStore();
    return id ? { user: { id } } : null;
  },
}));
const signedIn = new AsyncLocalStorage<string>();
session.user = signedIn;

const unavailable = pgServerUnavailable();

type Route = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;
let m: {
  db: typeof import("../db");
  errors: typeof import("../errors");
  queues: typeof import("./data");
  claim: Route;
  labels: Route;
  health: () => Promise<Response>;
};
let server: PgServer;
let opened: OpenedDb;

const ITEMS = 80;
const K = 2;
const ANNOTATORS = 6;

beforeAll(async () => {
  if (unavailable) return;
  server = await startPgServer();
  // The routes use the app's own database (getOpenedDb), which lib/env reads once: point it at this server first.
  process.env.DATABASE_URL = await server.createDatabase();
  process.env.NEXTAUTH_SECRET = "faults-test-secret-not-for-anything-else";
  m = {
    db: await import("../db"),
    errors: await import("../errors"),
    queues: await import("./data"),
    claim: (await import("@/app/api/queues/[id]/claim/route")).POST as unknown as Route,
    labels: (await import("@/app/api/queues/[id]/labels/route")).POST as unknown as Route,
    health: (await import("@/app/api/health/route")).GET,
  };
  opened = await m.db.getOpenedDb();
});
afterAll(async () => {
  await m?.db.closeDb();
  await server?.destroy();
});

async function seed() {
  const { seedCorpus } = await import("../jobs/test-fixtures");
  await seedCorpus({ ...opened }, "ann", { prompts: ITEMS / 2, runs: 1 }); // ITEMS responses
  const researcher = await opened.db.user.create({ data: { email: "r@faults.local", name: "R", role: "researcher", passwordHash: "!" } });
  const annotators: string[] = [];
  for (let i = 0; i < ANNOTATORS; i++) {
    annotators.push((await opened.db.user.create({ data: { email: `a${i}@faults.local`, name: `A${i}`, role: "annotator", passwordHash: "!" } })).id);
  }
  const q = await m.queues.createQueue(opened, { name: "through outages", k: K, blind: true, selection: { kind: "browse", filter: {} } }, researcher.id);
  expect(q.itemCount).toBe(ITEMS);
  return { queueId: q.id, annotators };
}

function call(route: Route, queueId: string, user: string, body: unknown): Promise<Response> {
  const req = new Request(`http://localhost/api/queues/${queueId}/x`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return signedIn.run(user, () => route(req, { params: Promise.resolve({ id: queueId }) }));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(Boolean(unavailable))(`annotation through database outages${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("answers 503 while the server is down, writes nothing by halves, serves again from the same pool, and ends with exactly k labels per item", async () => {
    const { queueId, annotators } = await seed();
    const statuses = new Map<number, number>();
    const outageBodies: unknown[] = [];
    let submitted = 0;
    let retriedSubmits = 0;

    /** Sends until the answer is not a 503; every answer's status is counted. */
    async function send(route: Route, user: string, body: unknown): Promise<Response> {
      for (;;) {
        const res = await call(route, queueId, user, body);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status !== 503) return res;
        if (outageBodies.length < 3) outageBodies.push({ body: await res.json(), retryAfter: res.headers.get("retry-after") });
        if (route === m.labels) retriedSubmits++;
        await pause(150);
      }
    }

    async function annotate(user: string, n: number) {
      for (;;) {
        const claimed = await send(m.claim, user, { count: 2 });
        expect(claimed.status).toBe(200);
        const { items } = (await claimed.json()) as { items: { itemId: string }[] };
        if (!items.length) return;
        for (const item of items) {
          await pause(15); // reading the item
          const res = await send(m.labels, user, { itemId: item.itemId, verdict: n % 2 ? "complied" : "noncompliant", durationMs: 15 });
          expect(res.status).toBe(201);
          submitted++;
        }
      }
    }

    const session = Promise.all(annotators.map((a, n) => annotate(a, n)));
    const outages = (async () => {
      // A restart once a quarter is labelled, a crash at two thirds; both while annotators are mid-flight.
      while (submitted < (ITEMS * K) / 4) await pause(5);
      const stopping = server.stop("fast");
      // While it is down: the lib call fails with a database error, the routes and /api/health answer 503.
      await stopping;
      const direct = await m.queues.submitLabel(opened, queueId, { id: annotators[0], role: "annotator" }, { itemId: "none", verdict: "complied" }).catch((e) => e);
      expect(m.errors.isDatabaseUnavailable(direct)).toBe(true);
      expect((await m.health()).status).toBe(503);
      await pause(1_500);
      await server.start();
      expect((await m.health()).status).toBe(200);
      while (submitted < (ITEMS * K * 2) / 3) await pause(5);
      await server.down(1_500, "immediate");
    })();
    await Promise.all([session, outages]);

    // Every answer was a success or an outage: no 500, no conflict, no refusal.
    expect([...statuses.keys()].sort()).toEqual([200, 201, 503]);
    expect(retriedSubmits).toBeGreaterThan(0); // submits did meet the outages, and were sent again
    expect(outageBodies[0]).toEqual({
      body: { error: { code: "database_unavailable", message: "The database is unreachable; your work so far is saved — retry in a moment." } },
      retryAfter: "5",
    });
    // The same process and the same pool served before and after.
    expect(await m.db.getOpenedDb()).toBe(opened);

    expect(submitted).toBe(ITEMS * K);
    expect(await m.queues.labelDistribution(opened.db, queueId)).toEqual([{ labels: K, items: ITEMS }]);
    const { rows } = await opened.sql.query<Record<string, number>>(
      `WITH qi AS (SELECT id, "responseId", "labelCount" FROM "QueueItem" WHERE "queueId" = $1)
       SELECT (SELECT count(*)::int FROM "QueueLabel" l JOIN qi ON qi.id = l."queueItemId") AS "queueLabels",
              (SELECT count(DISTINCT (l."queueItemId", l."annotatorId"))::int FROM "QueueLabel" l JOIN qi ON qi.id = l."queueItemId") AS "distinctPairs",
              (SELECT count(*)::int FROM "HumanLabel" h JOIN qi ON qi."responseId" = h."responseId") AS "humanLabels",
              (SELECT count(*)::int FROM "HumanLabelRevision" r JOIN "HumanLabel" h ON h.id = r."humanLabelId" JOIN qi ON qi."responseId" = h."responseId") AS revisions,
              (SELECT count(*)::int FROM "AuditLog" WHERE action = 'label.create') AS audits,
              (SELECT count(*)::int FROM qi WHERE "labelCount" <> (SELECT count(*) FROM "QueueLabel" l WHERE l."queueItemId" = qi.id)) AS "miscounted",
              (SELECT count(*)::int FROM "QueueReservation" r JOIN qi ON qi.id = r."queueItemId") AS reservations`,
      [queueId],
    );
    const n = ITEMS * K;
    expect(rows[0]).toEqual({ queueLabels: n, distinctPairs: n, humanLabels: n, revisions: n, audits: n, miscounted: 0, reservations: 0 });
  });
});
