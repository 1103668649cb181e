// npm run load:annotate -- [--url http://127.0.0.1:3000] [--annotators 50] [--labels 2000] [--k 2]
//
// Load test of annotation over real HTTP against a running app (loopback only): an admin creates
// `annotators` users and a queue of labels/k items with k labels each, assigned to them; every
// annotator signs in and loops claim → submit until the queue has nothing left for them, all at once.
// Checks: every submit that succeeded is stored, none twice, every item ends with exactly k labels.
// Prints p50/p95/max submit latency and throughput. Exits 1 when a check fails.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { DEMO_USERS } from "../lib/demo/users";

const { values: args } = parseArgs({
  options: { url: { type: "string" }, annotators: { type: "string" }, labels: { type: "string" }, k: { type: "string" } },
});
const intArg = (name: "annotators" | "labels" | "k", fallback: number) => {
  const v = args[name] === undefined ? fallback : Number(args[name]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
};
const base = args.url ?? "http://127.0.0.1:3000";
const host = new URL(base).hostname;
if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
  console.error(`Refusing to load-test ${base}: only loopback addresses are allowed.`);
  process.exit(2);
}
const ANNOTATORS = intArg("annotators", 50);
const LABELS = intArg("labels", 2000);
const K = intArg("k", 2);
const admin = DEMO_USERS.find((u) => u.role === "admin")!;

/** A signed-in HTTP client with its own cookie jar. */
class Session {
  private cookies = new Map<string, string>();
  private header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  private keep(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
  }
  async request(path: string, init: { method?: string; json?: unknown; form?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { cookie: this.header() };
    let body: string | undefined;
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(new URL(path, base), { method: init.method ?? (body ? "POST" : "GET"), headers, body, redirect: "manual" });
    this.keep(res);
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, json: json as Record<string, unknown> | null };
  }
  async signIn(email: string, password: string) {
    const csrf = await this.request("/api/auth/csrf");
    const token = (csrf.json as { csrfToken: string }).csrfToken;
    await this.request("/api/auth/callback/credentials", { form: { csrfToken: token, email, password, callbackUrl: base, json: "true" } });
    const me = await this.request("/api/overview");
    if (me.status !== 200) throw new Error(`Sign-in as ${email} failed (GET /api/overview answered ${me.status}).`);
  }
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main() {
  const runId = randomBytes(3).toString("hex");
  const boss = new Session();
  await boss.signIn(admin.email, admin.password);

  console.log(`Creating ${ANNOTATORS} annotators (load-${runId}-*)…`);
  const users: { id: string; email: string; password: string }[] = [];
  for (let i = 0; i < ANNOTATORS; i++) {
    const email = `load-${runId}-${i}@abstain.local`;
    const password = randomBytes(12).toString("hex");
    const res = await boss.request("/api/users", { json: { email, name: `Load ${runId} ${i}`, password, role: "annotator" } });
    if (res.status !== 201) throw new Error(`Creating ${email} failed: ${res.status} ${JSON.stringify(res.json)}`);
    users.push({ id: String(res.json!.id), email, password });
  }
  const items = Math.ceil(LABELS / K);
  const q = await boss.request("/api/queues", {
    json: {
      name: `Load test ${runId}`,
      k: K,
      blind: true,
      assignees: users.map((u) => u.id),
      selection: { kind: "stratified", perCell: 1000, seed: Number.parseInt(runId, 16) },
      limit: items,
    },
  });
  if (q.status !== 201) throw new Error(`Creating the queue failed: ${q.status} ${JSON.stringify(q.json)}`);
  const queueId = String(q.json!.id);
  if (Number(q.json!.itemCount) !== items) throw new Error(`The queue has ${q.json!.itemCount} items, not ${items}: the database holds too few responses.`);
  console.log(`Queue ${queueId}: ${items} items × k=${K}. Signing in ${ANNOTATORS} annotators…`);

  const sessions = await Promise.all(
    users.map(async (u) => {
      const s = new Session();
      await s.signIn(u.email, u.password);
      return s;
    }),
  );

  const latencies: number[] = [];
  const failures: string[] = [];
  let ok = 0;
  const started = performance.now();
  await Promise.all(
    sessions.map(async (s, n) => {
      for (;;) {
        const claim = await s.request(`/api/queues/${queueId}/claim`, { json: { count: 2 } });
        if (claim.status !== 200) {
          failures.push(`claim ${claim.status}: ${JSON.stringify(claim.json)}`);
          return;
        }
        const got = (claim.json!.items as { itemId: string }[]) ?? [];
        if (!got.length) return;
        for (const item of got) {
          const verdict = ["complied", "noncompliant", "partial", "unclear"][(n + item.itemId.charCodeAt(5)) % 4];
          const t = performance.now();
          const res = await s.request(`/api/queues/${queueId}/labels`, { json: { itemId: item.itemId, verdict, durationMs: 1500 } });
          latencies.push(performance.now() - t);
          if (res.status === 201) ok++;
          else failures.push(`submit ${res.status}: ${JSON.stringify(res.json)}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;

  const detail = await boss.request(`/api/queues/${queueId}`);
  const distribution = detail.json!.distribution as { labels: number; items: number }[];
  const stored = distribution.reduce((s, d) => s + d.labels * d.items, 0);
  latencies.sort((a, b) => a - b);
  console.log(`\n${ok} labels accepted in ${seconds.toFixed(1)} s (${(ok / seconds).toFixed(0)} labels/s) by ${ANNOTATORS} concurrent annotators.`);
  console.log(`submit latency: p50 ${quantile(latencies, 0.5).toFixed(1)} ms · p95 ${quantile(latencies, 0.95).toFixed(1)} ms · max ${latencies.at(-1)?.toFixed(1)} ms`);
  console.log(`stored: ${stored} labels; items by label count: ${distribution.map((d) => `${d.items} with ${d.labels}`).join(", ")}`);
  const checks = [
    { what: `accepted submits = ${LABELS}`, ok: ok === items * K },
    { what: "stored labels = accepted submits (none lost, none doubled)", ok: stored === ok },
    { what: `every item has exactly ${K} labels`, ok: distribution.length === 1 && distribution[0].labels === K && distribution[0].items === items },
    { what: "no refused or failed requests", ok: failures.length === 0 },
  ];
  for (const c of checks) console.log(`${c.ok ? "ok  " : "FAIL"} ${c.what}`);
  if (failures.length) console.log(`first failures:\n  ${failures.slice(0, 5).join("\n  ")}`);
  // Leave nothing that could be mistaken for real work: close the queue, deactivate the users.
  await boss.request(`/api/queues/${queueId}`, { method: "PATCH", json: { status: "closed" } });
  for (const u of users) await boss.request(`/api/users/${u.id}`, { method: "PATCH", json: { active: false } });
  process.exit(checks.every((c) => c.ok) ? 0 : 1);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
