// The route × role test: every page and API route in lib/auth/access.ts (which a unit test keeps
// equal to the files under app/) is probed without a session and with every role it does not allow.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { ALL_ROLES, ROUTES, allows } from "../lib/auth/access";
import { loginAs } from "./fixtures";

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
