// The route × role test: every page and API route in lib/auth/access.ts (which a unit test keeps
// equal to the files under app/) is probed without a session and with every role it does not allow.
import { readFileSync } from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { ACTIONS, ALL_ROLES, ROUTES, allows, routeEntry } from "../lib/auth/access";
import { demoUser, loginAs } from "./fixtures";

const concrete = (path: string) => path.replace(/\[\.\.\.[^\]]+\]/g, "session").replace(/\[[^\]]+\]/g, "does-not-exist");
const guarded = ROUTES.filter((r) => r.roles !== "public");

async function call(request: APIRequestContext, method: string, url: string) {
  return request.fetch(url, { method, data: method === "GET" ? undefined : {}, maxRedirects: 0, failOnStatusCode: false });
}

test("without a session: pages send you to sign in, API routes answer 401", async ({ request }) => {
  for (const r of guarded) {
    const url = concrete(r.path);
    if (r.kind === "page") {
      const res = await call(request, "GET", url);
      expect([303, 307, 302], `GET ${url}`).toContain(res.status());
      expect(res.headers()["location"], `GET ${url}`).toContain("/login");
    } else {
      for (const m of r.methods) {
        const res = await call(request, m, url);
        expect(res.status(), `${m} ${url}`).toBe(401);
      }
    }
  }
});

for (const role of ALL_ROLES) {
  test(`as ${role}: routes outside the role answer 403, the others do not`, async ({ page }) => {
    await loginAs(page, role);
    for (const r of guarded) {
      const url = concrete(r.path);
      const methods = r.kind === "page" ? (["GET"] as const) : r.methods;
      for (const m of methods) {
        const res = await call(page.request, m, url);
        if (allows(r.roles, role)) expect(res.status(), `${role} ${m} ${url}`).not.toBe(403);
        else expect(res.status(), `${role} ${m} ${url}`).toBe(403);
        expect(res.status(), `${role} ${m} ${url}`).not.toBe(401);
      }
    }
  });
}

test("public routes answer without a session", async ({ request }) => {
  expect((await request.get("/login")).status()).toBe(200);
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true });
});

test("pages and API answers carry the security headers", async ({ request }) => {
  for (const path of ["/login", "/api/health"]) {
    const headers = (await request.get(path)).headers();
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["referrer-policy"], path).toBe("same-origin");
    expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(headers["x-powered-by"], path).toBeUndefined();
  }
});

// Server actions: POST endpoints under their page's URL, addressed by an id the build assigns. Each is
// called directly over HTTP (as a forged request would be), with its real arguments, by every role it
// does not allow and without a session, and must be refused with nothing changed.
function actionId(module: string, name: string): string {
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as {
    node: Record<string, { filename: string; exportedName: string }>;
  };
  const id = Object.entries(manifest.node).find(([, a]) => a.filename === module && a.exportedName === name)?.[0];
  if (!id) throw new Error(`server action ${module} ${name} is not in the build's manifest`);
  return id;
}

async function callAction(request: APIRequestContext, action: (typeof ACTIONS)[number], args: unknown[], origin?: string) {
  const res = await request.post(action.route, {
    headers: {
      "next-action": actionId(action.module, action.name),
      "content-type": "text/plain;charset=UTF-8",
      accept: "text/x-component",
      ...(origin ? { origin } : {}),
    },
    data: JSON.stringify(args),
    maxRedirects: 0,
    failOnStatusCode: false,
  });
  return { status: res.status(), body: await res.text() };
}

test("server actions: refused without a session and for every role outside their page, with nothing changed", async ({ page, request }) => {
  await loginAs(page, "admin");
  const users = (await (await page.request.get("/api/users")).json()).items as { id: string; email: string; role: string }[];
  const annotator = users.find((u) => u.role === "annotator")!;
  const intruder = `intruder-${Date.now()}@example.org`;
  const argsFor = (name: string): unknown[] =>
    name === "createUserAction"
      ? [{ email: intruder, name: "Intruder", password: "long-enough-password", role: "admin" }]
      : name === "updateUserAction"
        ? [{ id: annotator.id, role: "admin" }]
        : [];

  for (const a of ACTIONS) {
    const res = await callAction(request, a, argsFor(a.name));
    expect(res.body, `${a.name} without a session`).toContain("sign in again");
  }
  for (const role of ALL_ROLES) {
    await page.context().clearCookies();
    await loginAs(page, role);
    for (const a of ACTIONS) {
      if (allows(routeEntry(a.route).roles, role)) continue;
      const res = await callAction(page.request, a, argsFor(a.name));
      expect(res.body, `${role} ${a.name}`).toContain("Your role may not do this.");
    }
  }
  // Nothing changed: no intruder account, the annotator is still an annotator.
  await page.context().clearCookies();
  await loginAs(page, "admin");
  const after = (await (await page.request.get("/api/users")).json()).items as { id: string; email: string; role: string }[];
  expect(after.find((u) => u.email === intruder)).toBeUndefined();
  expect(after.find((u) => u.id === annotator.id)!.role).toBe("annotator");
});

test("CSRF: a server action posted from another origin is refused even with an admin's session", async ({ page }) => {
  await loginAs(page, "admin");
  const create = ACTIONS.find((a) => a.name === "createUserAction")!;
  const email = `csrf-${Date.now()}@example.org`;
  const res = await callAction(page.request, create, [{ email, name: "Forged", password: "long-enough-password", role: "admin" }], "https://evil.example");
  expect(res.status).toBeGreaterThanOrEqual(400);
  const users = (await (await page.request.get("/api/users")).json()).items as { email: string }[];
  expect(users.find((u) => u.email === email)).toBeUndefined();
});

test("CSRF: signing in without the auth library's CSRF token is refused", async ({ request }) => {
  const u = demoUser("admin");
  const res = await request.post("/api/auth/callback/credentials", {
    form: { email: u.email, password: u.password, csrfToken: "forged" },
    maxRedirects: 0,
    failOnStatusCode: false,
  });
  expect(res.headers()["location"] ?? "").toContain("csrf=true");
  expect((await request.storageState()).cookies.some((c) => c.name.includes("session-token"))).toBe(false);
});

test("session fixation: a session cookie planted before sign-in is not the one the user gets, and is worth nothing", async ({ page }) => {
  const planted = "planted-by-an-attacker";
  const { hostname } = new URL(test.info().project.use.baseURL!);
  await page.context().addCookies([{ name: "next-auth.session-token", value: planted, domain: hostname, path: "/" }]);
  expect((await page.request.get("/api/overview")).status()).toBe(401);
  await loginAs(page, "researcher");
  const token = (await page.context().cookies()).find((c) => c.name === "next-auth.session-token")!.value;
  expect(token).not.toBe(planted);
  expect(token.split(".")).toHaveLength(5); // an encrypted JWT (JWE) the server issued
});
