// Secrets never reach a browser or the log: passwords, password hashes, the session secret, session
// tokens and the LLM API key. Runs last, so the server log it searches holds every earlier spec's
// requests too (failed and successful sign-ins, imports, jobs, annotation, admin changes).
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page, type Response } from "@playwright/test";
import { ALL_ROLES, ROUTES, allows } from "../lib/auth/access";
import { DEMO_USERS } from "../lib/demo/users";
import { SERVER_LOG } from "../playwright.config";
import { loginAs, pagesFor } from "./fixtures";

const API_KEY = `sk-e2e-secret-${Math.random().toString(36).slice(2)}${Date.now()}`;
const BCRYPT = /\$2[aby]\$\d\d\$[./A-Za-z0-9]{20,}/;

/** An LLM endpoint that refuses the key and, like real providers, quotes it back in its error. */
async function echoingEndpoint(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${req.headers.authorization}` } }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

function recordBodies(page: Page, bodies: { url: string; text: string }[]) {
  page.on("response", async (res: Response) => {
    try {
      bodies.push({ url: res.url(), text: `${JSON.stringify(res.headers())}\n${await res.text()}` });
    } catch {
      // A redirect or a navigated-away response has no body to read.
    }
  });
}

test("no password, hash, session secret, session token or API key in any answer or log line", async ({ page }) => {
  test.setTimeout(240_000);
  const secret = process.env.NEXTAUTH_SECRET;
  expect(secret, "scripts/e2e.sh sets NEXTAUTH_SECRET").toBeTruthy();
  const endpoint = await echoingEndpoint();
  const bodies: { url: string; text: string }[] = [];
  recordBodies(page, bodies);
  const tokens: string[] = [];
  try {
    // Admin stores the key and tests the connection: the endpoint's error quotes the key back.
    await loginAs(page, "admin");
    const put = await page.request.put("/api/settings/llm", { data: { baseUrl: endpoint.url, model: "echo", apiKey: API_KEY } });
    expect(put.status()).toBe(200);
    bodies.push({ url: "PUT /api/settings/llm", text: await put.text() });
    await page.goto("/admin/settings");
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect(page.getByTestId("connection-test")).toContainText(/401|key/i);

    for (const role of ALL_ROLES) {
      await page.context().clearCookies();
      await loginAs(page, role);
      tokens.push(...(await page.context().cookies()).filter((c) => c.name.includes("session-token")).map((c) => c.value));
      for (const url of await pagesFor(page, role)) await page.goto(url);
      for (const r of ROUTES) {
        if (r.kind !== "api" || !r.methods.includes("GET" as never) || !allows(r.roles, role) || r.path.includes("[")) continue;
        const url = r.path === "/api/exports" ? "/api/exports?format=jsonl" : r.path;
        const res = await page.request.get(url);
        bodies.push({ url, text: `${JSON.stringify(res.headers())}\n${await res.text()}` });
      }
    }
    await page.waitForLoadState("networkidle");
  } finally {
    endpoint.server.close();
  }

  const secrets = [
    ...DEMO_USERS.map((u) => ({ what: `password of ${u.email}`, value: u.password })),
    { what: "NEXTAUTH_SECRET", value: secret! },
    { what: "LLM API key", value: API_KEY },
    ...tokens.map((value, i) => ({ what: `session token ${i + 1}`, value })),
  ];
  expect(tokens).toHaveLength(ALL_ROLES.length);
  expect(bodies.length).toBeGreaterThan(30);
  const leaks: string[] = [];
  for (const b of bodies) {
    for (const s of secrets) if (b.text.includes(s.value)) leaks.push(`${s.what} in the answer to ${b.url}`);
    if (BCRYPT.test(b.text)) leaks.push(`a password hash in the answer to ${b.url}`);
  }
  const log = readFileSync(SERVER_LOG, "utf8");
  expect(log.length, "the server log is written").toBeGreaterThan(0);
  for (const s of secrets) if (log.includes(s.value)) leaks.push(`${s.what} in the server log`);
  if (BCRYPT.test(log)) leaks.push("a password hash in the server log");
  expect(leaks).toEqual([]);
});
