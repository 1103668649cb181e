// Text written by models under test and by whoever made a file is untrusted: imported through the HTTP
// endpoint, it must render inert and readable on Browse, on the response page (text and Markdown views)
// and on the annotation page, and must not break the layout.
import { expect, test, type Page } from "@playwright/test";
import { coconotMapping } from "../lib/imports/presets";
import { loginAs } from "./fixtures";

const token = `hostile${Date.now()}`;
const LONG = "A".repeat(6000);
const PAYLOADS = [
  `<script>window.__xss = 1</script> ${token}`,
  `<img src=x onerror="window.__xss = 2"> ${token}`,
  `[click me](javascript:window.__xss=3) and <a href="javascript:window.__xss=4">here</a> ${token}`,
  `![tracker](http://127.0.0.1:9/pixel.png) ${token}`,
  `${LONG} ${token}`,
  `\u202Egnp.exe\u202C and emoji 👩‍💻🙂 ${token}`,
];

/** Marks any script that would run, and any dialog, so the test can assert none happened. */
async function watch(page: Page) {
  const events: string[] = [];
  page.on("dialog", (d) => {
    events.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return async () => {
    const xss = await page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? null);
    expect(xss, "an injected script ran").toBeNull();
    expect(events).toEqual([]);
  };
}

async function noHorizontalOverflow(page: Page) {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(scroll, "the page became wider than the window").toBeLessThanOrEqual(inner + 2);
}

test("hostile prompts and responses render inert on Browse, the response page and the annotation page", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await loginAs(page, "researcher");
  const check = await watch(page);

  // Import them through the HTTP endpoint, with a file name that is itself markup.
  const jsonl = PAYLOADS.map((p, i) =>
    JSON.stringify({ id: `${token}-${i}`, category: "Incomplete requests", subcategory: "underspecified", prompt: p, response: PAYLOADS[(i + 1) % PAYLOADS.length] }),
  ).join("\n");
  const options = { format: "jsonl", mapping: coconotMapping({ dataset: `hostile-${token}`, expectation: "should_not_comply", model: "hostile-model", run: "r1" }) };
  const name = `<img src=x onerror="window.__xss=5">.jsonl`;
  const res = await page.request.post(`/api/imports?name=${encodeURIComponent(name)}&options=${encodeURIComponent(JSON.stringify(options))}`, { data: Buffer.from(jsonl) });
  expect(res.status()).toBe(200);
  const events = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
  expect(events.at(-1)).toMatchObject({ type: "result", result: { status: "written" } });

  // Browse: every payload listed as text.
  await page.goto(`/browse?q=${token}`);
  await expect(page.getByTestId("browse-total")).toHaveText(String(PAYLOADS.length));
  await expect(page.getByText("<script>window.__xss = 1</script>", { exact: false }).first()).toBeVisible();
  await check();

  // The response page, as text and as Markdown, for every response.
  await page.goto(`/browse?q=${token}`);
  const links = page.getByTestId("open-response");
  const hrefs: string[] = [];
  for (let i = 0; i < (await links.count()); i++) hrefs.push((await links.nth(i).getAttribute("href"))!);
  expect(hrefs).toHaveLength(PAYLOADS.length);
  for (const href of hrefs) {
    for (const view of ["", "?view=markdown"]) {
      await page.goto(`${href}${view}`);
      const response = page.getByTestId("response-text");
      await expect(response).toBeVisible();
      await expect(response).toContainText(token);
      // Never an image, never a script, and links only to http(s)/mailto.
      expect(await page.locator("[data-testid=response-text] img, [data-testid=prompt-text] img").count()).toBe(0);
      expect(await page.locator("[data-testid=response-text] script, [data-testid=prompt-text] script").count()).toBe(0);
      for (const a of await page.locator("[data-testid=response-text] a, [data-testid=prompt-text] a").all()) {
        expect(await a.getAttribute("href")).toMatch(/^(https?:|mailto:)/);
      }
      await noHorizontalOverflow(page);
      await check();
    }
  }
  // The RTL override is shown as a visible marker, not applied.
  await page.goto(`/browse?q=${encodeURIComponent("gnp.exe")}`);
  await page.getByTestId("open-response").first().click();
  await expect(page.getByText("U+202E").first()).toBeVisible();

  // The annotation page: a queue of exactly these responses, opened by an annotator.
  const q = await page.request.post("/api/queues", {
    data: { name: `Hostile ${token}`, k: 1, blind: false, assignees: [], selection: { kind: "browse", filter: { q: token } } },
  });
  expect(q.status()).toBe(201);
  const annotator = await (await browser.newContext()).newPage();
  await loginAs(annotator, "annotator");
  const checkAnnotator = await watch(annotator);
  const { id } = await q.json();
  await annotator.goto(`/queues/${id}`);
  await expect(annotator.getByTestId("annotate-item")).toBeVisible();
  await expect(annotator.getByTestId("annotate-response")).toContainText(token);
  await annotator.getByRole("button", { name: "Markdown" }).click();
  expect(await annotator.locator("[data-testid=annotate-item] img, [data-testid=annotate-item] script").count()).toBe(0);
  await noHorizontalOverflow(annotator);
  await checkAnnotator();
});
