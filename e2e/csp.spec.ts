// The Content-Security-Policy: scripts run only with the request's nonce. The app's own scripts all carry
// it (every page hydrates with no CSP violation), and markup that reached the DOM by some other path
// (an event handler, a javascript: link, an inline script) is refused by the browser.
import { expect, test, type Page } from "@playwright/test";
import { loginAs, pagesFor } from "./fixtures";

const scriptSrc = (csp: string) => csp.split(/;\s*/).find((d) => d.startsWith("script-src ")) ?? "";
const nonceOf = (csp: string) => /'nonce-([^']+)'/.exec(scriptSrc(csp))?.[1];

/** Records every CSP violation of the page's documents from the first byte on. */
async function watchViolations(page: Page) {
  await page.addInitScript(() => {
    (window as unknown as { __violations: string[] }).__violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { __violations: string[] }).__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`),
    );
  });
}
const violations = (page: Page) => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);

test("each page answer carries its own nonce, on every script, and no unsafe-inline for scripts", async ({ request }) => {
  const nonces = new Set<string>();
  for (let i = 0; i < 2; i++) {
    const res = await request.get("/login");
    const csp = res.headers()["content-security-policy"];
    expect(scriptSrc(csp)).not.toContain("unsafe-inline");
    expect(scriptSrc(csp)).not.toContain("unsafe-eval");
    const nonce = nonceOf(csp)!;
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    nonces.add(nonce);
    const html = await res.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag, tag).toContain(`nonce="${nonce}"`);
  }
  expect(nonces.size).toBe(2);
  // API answers: nothing may load or run from them.
  const api = (await request.get("/api/health")).headers()["content-security-policy"];
  expect(api).toContain("default-src 'none'");
});

test("every page hydrates under the policy with no violation", async ({ page }) => {
  test.setTimeout(120_000);
  await watchViolations(page);
  await page.goto("/login");
  expect(await violations(page)).toEqual([]);
  await loginAs(page, "admin");
  for (const url of await pagesFor(page, "admin")) {
    await page.goto(url);
    await page.waitForLoadState("networkidle");
    expect(await violations(page), url).toEqual([]);
  }
  // Hydrated: the navigation's links move without a document load (a window property survives), which
  // only Next's client scripts do; blocked scripts would leave plain links that reload the page.
  await page.goto("/browse");
  await page.evaluate(() => ((window as unknown as { __same?: number }).__same = 1));
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Results" }).click();
  await expect(page).toHaveURL(/\/results/);
  expect(await page.evaluate(() => (window as unknown as { __same?: number }).__same)).toBe(1);
});

test("markup that reaches the DOM cannot run: handlers, javascript: links and inline scripts are refused", async ({ page }) => {
  await watchViolations(page);
  await loginAs(page, "researcher");
  await page.goto("/browse");
  await page.waitForLoadState("networkidle");
  const ran = await page.evaluate(async () => {
    const w = window as unknown as { __ran?: string[] };
    w.__ran = [];
    const box = document.createElement("div");
    // What an injection would look like if some path ever put a response's text into the DOM as HTML.
    box.innerHTML = `<img src="data:," onerror="window.__ran.push('onerror')"><a id="js" href="javascript:window.__ran.push('href')">x</a>`;
    document.body.append(box);
    (box.querySelector("#js") as HTMLAnchorElement).click();
    const frame = document.createElement("iframe");
    frame.srcdoc = "<script>parent.__ran.push('srcdoc')</script>";
    document.body.append(frame);
    await new Promise((r) => setTimeout(r, 500));
    return w.__ran;
  });
  expect(ran).toEqual([]);
  const seen = (await violations(page)).join("\n");
  expect(seen).toMatch(/script-src-attr|script-src/);
});
