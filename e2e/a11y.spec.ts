// Accessibility: an axe-core scan (WCAG 2 A/AA rules) of every page, as the roles that may open it,
// with no serious or critical violation.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { loginAs, pagesFor } from "./fixtures";

async function scan(page: Page, url: string) {
  await page.goto(url);
  await page.waitForLoadState("networkidle");
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
  expect.soft(bad, `axe on ${url}`).toEqual([]);
}

test("the sign-in page has no serious accessibility violations", async ({ page }) => {
  await scan(page, "/login");
});

for (const role of ["admin", "researcher", "annotator"] as const) {
  test(`every page ${role}s may open has no serious accessibility violations`, async ({ page }) => {
    test.setTimeout(180_000);
    await loginAs(page, role);
    for (const url of await pagesFor(page, role)) {
      await scan(page, url);
    }
  });
}
