// Each limited endpoint, called as Next calls it: the exported handler with a Request. The session and the work
// behind the guard are faked, so what is tested is the route's own wiring: which limit it counts, that the
// request over it gets 429 with the message and Retry-After before any work is done, and (exports) that a
// download's slot comes back when it ends, fails or is cancelled.
import { Readable } from "node:stream";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";

const fake = vi.hoisted(() => ({
  user: { id: "u0", email: "r@x.org", name: "R", role: "researcher" as const },
  work: [] as string[],
}));

// The real apiRoute (so the 429's status, body and Retry-After are what users get); only who is signed in is faked.
vi.mock("next-auth", () => ({ getServerSession: async () => ({ user: { id: fake.user.id } }) }));
vi.mock("@/auth", () => ({ getAuthOptions: () => ({}) }));
vi.mock("@/lib/users/data", () => ({ getUserForSession: async () => ({ ...fake.user, active: true }) }));
vi.mock("@/lib/db", () => ({
  getDb: async () => ({}),
  getOpenedDb: async () => ({ db: {}, sql: {} }),
}));
vi.mock("@/lib/jobs/data", () => ({
  createJob: async () => (fake.work.push("job"), { id: "job1" }),
  createImportJob: async () => ({ id: "job2" }),
}));
vi.mock("@/lib/jobs/worker", () => ({ nudgeWorkers: () => {} }));
vi.mock("@/lib/queues/data", () => ({
  createQueue: async () => (fake.work.push("queue"), { id: "q1", itemCount: 0 }),
  listQueues: async () => [],
}));
vi.mock("@/lib/imports/http", () => ({
  parseFormat: (f: string | null) => f,
  previewUpload: async () => (fake.work.push("preview"), { columns: [] }),
  importUpload: async function* () {
    fake.work.push("import");
    yield { type: "result", result: { status: "written" } };
  },
}));
vi.mock("@/lib/exports/browse", () => ({ exportOptionsFromBrowse: async () => ({ filter: {}, judge: null, ignored: [] }) }));
vi.mock("@/lib/exports/stream", () => ({
  createExport: async () => {
    fake.work.push("export");
    // Lazy like the real one: the next chunk is made only when the client reads.
    async function* rows() {
      for (let i = 0; i < 3; i++) yield Buffer.from(`row ${i}\n`);
    }
    return { stream: Readable.from(rows(), { objectMode: false }), meta: {}, contentType: "text/csv", fileName: "x.csv" };
  },
}));
vi.mock("@/lib/settings/llm", () => ({ resolveLlmConfig: async () => ({ baseUrl: "http://127.0.0.1:9/v1", model: "m", timeoutMs: 1000 }) }));
vi.mock("@/lib/llm/client", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  createChatClient: () => ({ complete: async () => (fake.work.push("llm"), { content: "OK", model: "m" }) }),
}));

const { GET: getExport } = await import("@/app/api/exports/route");
const { POST: postImport } = await import("@/app/api/imports/route");
const { POST: postPreview } = await import("@/app/api/imports/preview/route");
const { POST: postJob } = await import("@/app/api/jobs/route");
const { POST: postQueue } = await import("@/app/api/queues/route");
const { testLlmConnectionAction } = await import("@/lib/settings/actions");

const T0 = new Date("2026-01-05T10:00:00Z");
let users = 0;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
  fake.user = { ...fake.user, id: `user-${++users}` }; // the counts are process-wide: a fresh user per test
  fake.work = [];
});
afterAll(() => vi.useRealTimers());

const ctx = {} as never;
const json = (url: string, body: unknown) => new Request(url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } }) as never;
const upload = (url: string) => new Request(url, { method: "POST", body: "id,prompt\n1,hi\n" }) as never;

async function expect429(res: Response, message: string, retryAfter: string | null) {
  expect(res.status).toBe(429);
  expect(res.headers.get("retry-after")).toBe(retryAfter);
  expect(await res.json()).toMatchObject({ error: { code: "too_many_requests", message } });
}

describe("rate limits per endpoint (defaults from lib/env.ts)", () => {
  const cases = [
    { name: "POST /api/jobs", max: 10, what: "judge and generation jobs", work: "job", call: () => postJob(json("http://x/api/jobs", { kind: "judge" }), ctx) },
    { name: "POST /api/queues", max: 20, what: "new queues", work: "queue", call: () => postQueue(json("http://x/api/queues", { name: "q" }), ctx) },
    { name: "POST /api/imports", max: 20, what: "imports and import previews", work: "import", call: () => postImport(upload(`http://x/api/imports?options=${encodeURIComponent("{}")}`), ctx) },
    { name: "POST /api/imports/preview", max: 20, what: "imports and import previews", work: "preview", call: () => postPreview(upload("http://x/api/imports/preview?format=csv"), ctx) },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.max} a minute, then 429 saying what, the limit and when, before any work`, async () => {
      for (let i = 0; i < c.max; i++) expect((await c.call()).status).toBeLessThan(300);
      expect(fake.work).toEqual(Array(c.max).fill(c.work));
      vi.setSystemTime(T0.getTime() + 37_000);
      await expect429(await c.call(), `Too many ${c.what}: at most ${c.max} a minute. Try again in 23 s.`, "23");
      expect(fake.work).toHaveLength(c.max);
      vi.setSystemTime(T0.getTime() + 60_000);
      expect((await c.call()).status).toBeLessThan(300);
    });
  }

  it("previews and uploads share one count", async () => {
    for (let i = 0; i < 10; i++) await cases[2].call();
    for (let i = 0; i < 10; i++) await cases[3].call();
    expect((await cases[2].call()).status).toBe(429);
    expect((await cases[3].call()).status).toBe(429);
  });

  it("one user's limit does not touch another's", async () => {
    for (let i = 0; i < 10; i++) await cases[0].call();
    expect((await cases[0].call()).status).toBe(429);
    fake.user = { ...fake.user, id: `user-${++users}` };
    expect((await cases[0].call()).status).toBe(201);
  });
});

describe("GET /api/exports", () => {
  const get = (format = "csv") => getExport(new Request(`http://x/api/exports?format=${format}`) as never, ctx);

  it("at most 2 streaming at once per user; a finished or cancelled download gives its slot back", async () => {
    const a = await get();
    const b = await get();
    expect([a.status, b.status]).toEqual([200, 200]);
    await expect429(await get(), "Too many exports at once: at most 2 at a time. Try again when one of yours has finished.", null);
    expect(await a.text()).toBe("row 0\nrow 1\nrow 2\n");
    await new Promise((r) => setImmediate(r)); // "close" follows the end on the next tick
    const c = await get();
    expect(c.status).toBe(200);
    await b.body!.cancel();
    await new Promise((r) => setImmediate(r));
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(429); // c and the last one are still streaming
  });

  it("a refused export (bad format) gives its slot back at once", async () => {
    for (let i = 0; i < 3; i++) expect((await get("xls")).status).toBe(400);
    const ok = await get();
    expect(ok.status).toBe(200);
    await ok.text();
  });

  it("10 a minute, then 429 with Retry-After; refusals for streaming slots do not count", async () => {
    const held = [await get(), await get()];
    expect((await get()).status).toBe(429); // at once: not counted against the rate
    for (const r of held) await r.text();
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 8; i++) {
      const r = await get();
      expect(r.status).toBe(200);
      await r.text();
      await new Promise((r) => setImmediate(r));
    }
    expect(fake.work).toHaveLength(10);
    vi.setSystemTime(T0.getTime() + 37_000);
    await expect429(await get(), "Too many exports: at most 10 a minute. Try again in 23 s.", "23");
    expect(fake.work).toHaveLength(10);
    // The refusal by rate released the slot it had taken: two may stream again once the minute is over.
    vi.setSystemTime(T0.getTime() + 60_000);
    expect([(await get()).status, (await get()).status]).toEqual([200, 200]);
  });
});

describe("testLlmConnectionAction", () => {
  it("5 a minute, then a message saying what, the limit and when, without calling the endpoint", async () => {
    fake.user = { ...fake.user, role: "admin" as never }; // the settings page's action is for admins
    for (let i = 0; i < 5; i++) expect(await testLlmConnectionAction()).toMatchObject({ ok: true });
    vi.setSystemTime(T0.getTime() + 1_500);
    expect(await testLlmConnectionAction()).toEqual({ ok: false, error: "Too many LLM connection tests: at most 5 a minute. Try again in 59 s." });
    expect(fake.work).toEqual(Array(5).fill("llm"));
  });
});
