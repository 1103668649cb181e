// The queue: exclusive claims, leases and fencing, cancel, the views the page shows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../test/db";
import { claim, enqueue, sqlTx, expireAllLeases, fail, finish, getJob, LeaseLostError, listJobs, MAX_ATTEMPTS, progress, renew, requestCancel } from "./queue";
import { jobRow, waitFor, waitForStatus } from "./test-fixtures";
import { startWorker, type HandlerRegistry, type JobContext } from "./worker";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

// Each test uses its own kind, so jobs of one test are never claimed by another's workers.
let kindN = 0;
const freshKind = () => `test-${++kindN}`;

describe("claim", () => {
  it("gives a queued job to one claimer only, oldest first, and counts the attempt", async () => {
    const kind = freshKind();
    const a = await enqueue(t.db, { kind, params: { n: 1 } });
    const b = await enqueue(t.db, { kind, params: { n: 2 } });
    const claims = await Promise.all(["w1", "w2", "w3"].map((w) => claim(t.db, w, [kind], 60_000)));
    const got = claims.filter((c) => c !== null).map((c) => c!.id);
    expect(got.sort()).toEqual([a.id, b.id].sort());
    const first = claims.find((c) => c?.id === a.id)!;
    expect(first.attempts).toBe(1);
    expect(first.params).toEqual({ n: 1 });
    const row = await jobRow(t, a.id);
    expect(row.status).toBe("running");
    expect(row.lockedBy).toBe(first.fence.workerId);
    expect(row.startedAt).not.toBeNull();
    // Nothing left, and a running job with a live lease is not claimed again.
    expect(await claim(t.db, "w4", [kind], 60_000)).toBeNull();
  });

  it("only claims the kinds asked for", async () => {
    const kind = freshKind();
    await enqueue(t.db, { kind, params: {} });
    expect(await claim(t.db, "w", [freshKind()], 60_000)).toBeNull();
    expect(await claim(t.db, "w", ["x", kind], 60_000)).not.toBeNull();
  });

  it("takes a job back from a worker whose lease expired, and fences the old worker out", async () => {
    const kind = freshKind();
    const { id } = await enqueue(t.db, { kind, params: {} });
    const old = (await claim(t.db, "old", [kind], 1))!;
    await new Promise((r) => setTimeout(r, 20));
    // Its own worker does not take it over (while it holds the job it is alive, only late); another does.
    expect(await claim(t.db, "old", [kind], 60_000)).toBeNull();
    const fresh = (await claim(t.db, "new", [kind], 60_000))!;
    expect(fresh.id).toBe(id);
    expect(fresh.attempts).toBe(2);
    // The old attempt can no longer save progress, renew, or end the job.
    await expect(t.db.$transaction((tx) => progress(sqlTx(tx), old.fence, { done: 1, failed: 0, cursor: "x" }, 1000))).rejects.toBeInstanceOf(LeaseLostError);
    expect((await renew(t.db, old.fence, 1000)).held).toBe(false);
    expect(await finish(t.db, old.fence, { by: "old" })).toBe(false);
    expect(await finish(t.db, fresh.fence, { by: "new" })).toBe(true);
    const row = await jobRow(t, id);
    expect(row.status).toBe("succeeded");
    expect(row.result).toEqual({ by: "new" });
    expect(row.done).toBe(0);
  });

  it("stops retrying a job that lost its worker MAX_ATTEMPTS times", async () => {
    const kind = freshKind();
    const { id } = await enqueue(t.db, { kind, params: {} });
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      expect(await claim(t.db, `w${i}`, [kind], 1)).not.toBeNull();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await claim(t.db, "last", [kind], 60_000)).toBeNull();
    const row = await jobRow(t, id);
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/interrupted 10 times/);
  });

  it("resumes every orphan at once when told no other worker can be alive (embedded database start)", async () => {
    const kind = freshKind();
    await enqueue(t.db, { kind, params: {} });
    const a = (await claim(t.db, "dead", [kind], 60_000))!;
    expect(await claim(t.db, "w", [kind], 60_000)).toBeNull();
    await expireAllLeases(t.db);
    expect((await claim(t.db, "w", [kind], 60_000))?.id).toBe(a.id);
  });
});

describe("progress", () => {
  it("saves counts and cursor with the batch, and reports a requested cancel", async () => {
    const kind = freshKind();
    const { id } = await enqueue(t.db, { kind, params: {} });
    const c = (await claim(t.db, "w", [kind], 60_000))!;
    const r1 = await t.db.$transaction((tx) => progress(sqlTx(tx), c.fence, { done: 10, failed: 2, cursor: "r10", total: 40 }, 60_000));
    expect(r1.cancelRequested).toBe(false);
    expect(await requestCancel(t.db, id)).toBe("running"); // running: it stops at its next batch
    const r2 = await t.db.$transaction((tx) => progress(sqlTx(tx), c.fence, { done: 20, failed: 2, cursor: "r20" }, 60_000));
    expect(r2.cancelRequested).toBe(true);
    const row = await jobRow(t, id);
    expect([row.done, row.failed, row.cursor, row.total]).toEqual([20, 2, "r20", 40]);
  });

  it("rolls back the batch when the fence check fails", async () => {
    const kind = freshKind();
    const { id } = await enqueue(t.db, { kind, params: {} });
    const c = (await claim(t.db, "w", [kind], 60_000))!;
    await fail(t.db, c.fence, "ended elsewhere");
    await expect(
      t.db.$transaction(async (tx) => {
        await tx.jobItemError.create({ data: { jobId: id, itemKey: "k", message: "written inside the batch" } });
        await progress(sqlTx(tx), c.fence, { done: 1, failed: 1, cursor: "k" }, 60_000);
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await t.db.jobItemError.count({ where: { jobId: id } })).toBe(0);
  });
});

describe("cancel", () => {
  it("cancels a queued job at once, and no worker runs it afterwards", async () => {
    const kind = freshKind();
    const { id } = await enqueue(t.db, { kind, params: {} });
    expect(await requestCancel(t.db, id)).toBe("cancelled");
    let ran = false;
    const w = startWorker({ opened: t, kinds: [kind], pollMs: 10, handlers: { [kind]: async () => void (ran = true) } });
    await new Promise((r) => setTimeout(r, 150));
    await w.stop();
    expect(ran).toBe(false);
    const row = await jobRow(t, id);
    expect(row.status).toBe("cancelled");
    expect(row.finishedAt).not.toBeNull();
  });

  it("leaves a finished job as it is and says so", async () => {
    const kind = freshKind();
    const { id } = await enqueue(t.db, { kind, params: {} });
    const c = (await claim(t.db, "w", [kind], 60_000))!;
    await finish(t.db, c.fence, {});
    expect(await requestCancel(t.db, id)).toBe("succeeded");
    expect(await requestCancel(t.db, "no-such-job")).toBeNull();
  });
});

describe("workers", () => {
  it("never run the same job twice, even two workers with two loops each", async () => {
    const kind = freshKind();
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => enqueue(t.db, { kind, params: { i } }).then((j) => j.id)));
    const runs: { job: string; worker: string }[] = [];
    const inside = new Set<string>();
    let overlap = false;
    const handlers: HandlerRegistry = {
      [kind]: async (ctx: JobContext) => {
        if (inside.has(ctx.job.id)) overlap = true;
        inside.add(ctx.job.id);
        runs.push({ job: ctx.job.id, worker: ctx.job.fence.workerId });
        for (let i = 1; i <= 3; i++) {
          await new Promise((r) => setTimeout(r, 5));
          await ctx.commit({ done: i, failed: 0, cursor: String(i) });
        }
        inside.delete(ctx.job.id);
        return { ok: true };
      },
    };
    const w1 = startWorker({ opened: t, kinds: [kind], concurrency: 2, pollMs: 5, handlers, workerId: "w1" });
    const w2 = startWorker({ opened: t, kinds: [kind], concurrency: 2, pollMs: 5, handlers, workerId: "w2" });
    try {
      for (const id of ids) await waitForStatus(t, id, ["succeeded", "failed"]);
    } finally {
      await Promise.all([w1.stop(), w2.stop()]);
    }
    expect(overlap).toBe(false);
    expect(runs.map((r) => r.job).sort()).toEqual([...ids].sort());
    const rows = await t.db.job.findMany({ where: { id: { in: ids } } });
    expect(rows.every((r) => r.status === "succeeded" && r.attempts === 1 && r.done === 3)).toBe(true);
  });

  it("records why a job failed, and keeps going with the next job", async () => {
    const kind = freshKind();
    const bad = await enqueue(t.db, { kind, params: { bad: true } });
    const good = await enqueue(t.db, { kind, params: { bad: false } });
    const w = startWorker({
      opened: t,
      kinds: [kind],
      pollMs: 5,
      handlers: {
        [kind]: async (ctx) => {
          if ((ctx.job.params as { bad: boolean }).bad) throw new Error("the selection is gone");
          return { fine: 1 };
        },
      },
    });
    try {
      await waitForStatus(t, good.id, ["succeeded"]);
    } finally {
      await w.stop();
    }
    const row = await jobRow(t, bad.id);
    expect(row.status).toBe("failed");
    expect(row.error).toBe("the selection is gone");
  });

  it("gives a job back to the queue on a graceful stop, and another worker finishes it from its cursor", async () => {
    const kind = freshKind();
    const { id } = await enqueue(t.db, { kind, params: {} });
    const seen: (string | null)[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handlers: HandlerRegistry = {
      [kind]: async (ctx) => {
        seen.push(ctx.job.cursor);
        const start = Number(ctx.job.cursor ?? 0);
        for (let i = start + 1; i <= 4; i++) {
          ctx.checkpoint();
          await ctx.commit({ done: i, failed: 0, cursor: String(i), total: 4 });
          if (i === 2 && seen.length === 1) await gate; // the first worker stops here
        }
        return {};
      },
    };
    const w1 = startWorker({ opened: t, kinds: [kind], pollMs: 5, handlers });
    await waitFor("two batches", async () => (await jobRow(t, id)).done === 2);
    const stopping = w1.stop();
    release();
    await stopping;
    expect((await jobRow(t, id)).status).toBe("queued");
    const w2 = startWorker({ opened: t, kinds: [kind], pollMs: 5, handlers });
    try {
      await waitForStatus(t, id, ["succeeded"]);
    } finally {
      await w2.stop();
    }
    expect(seen).toEqual([null, "2"]);
    expect((await jobRow(t, id)).done).toBe(4);
  });
});

describe("views", () => {
  it("lists newest first with progress, ETA from the current attempt's rate, and item errors", async () => {
    const kind = freshKind();
    const { id } = await enqueue(t.db, { kind, params: {} });
    const c = (await claim(t.db, "w", [kind], 60_000))!;
    await t.db.$transaction(async (tx) => {
      await progress(sqlTx(tx), c.fence, { done: 30, failed: 1, cursor: "c", total: 130 }, 60_000);
      await tx.jobItemError.create({ data: { jobId: id, itemKey: "resp-7", message: "endpoint answered HTTP 500" } });
    });
    const startedAt = ((await jobRow(t, id)).result as { attemptStartedAt: number }).attemptStartedAt;
    // 10 s after the attempt began, 30 items done: 3 items/s, 100 left → ETA 34 s (rounded up from 33.3).
    const now = new Date(startedAt + 10_000);
    const list = await listJobs(t.db, { now });
    expect(list.items[0].id).toBe(id);
    const v = list.items[0];
    expect([v.status, v.done, v.total, v.failed, v.errorCount]).toEqual(["running", 30, 130, 1, 1]);
    expect(v.rate).toBeCloseTo(3, 5);
    expect(v.etaSeconds).toBe(34);
    expect(v.result).toBeNull(); // the attempt bookkeeping is not shown as a result
    const d = (await getJob(t.db, id, { now }))!;
    expect(d.errors.map((e) => [e.itemKey, e.message])).toEqual([["resp-7", "endpoint answered HTTP 500"]]);
  });
});
