import { expect, test, type Page } from "@playwright/test";
import { loginAs } from "./fixtures";

async function browseTotal(page: Page) {
  return Number((await page.getByTestId("browse-total").textContent())!.replace(/,/g, ""));
}

test("a researcher reads Results, switches the label source, drills into Browse and opens a response", async ({ page }) => {
  await loginAs(page, "researcher");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Results" }).click();
  await expect(page.getByRole("heading", { name: "Results", level: 1 })).toBeVisible();
  await expect(page.getByTestId("source-text")).toContainText("Best available");
  await expect(page.getByTestId("compliance-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await expect(page.getByTestId("category-table")).toBeVisible();

  // Adjudicated only: the demo has no adjudications yet.
  await page.getByTestId("source-select").selectOption("adjudicated");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/source=adjudicated/);
  await expect(page.getByTestId("results-empty")).toBeVisible();

  // The preference pairs' own labels: chosen never over-refuses, rejected always does.
  await page.getByTestId("source-select").selectOption("judge");
  await page.getByLabel("Judge version").selectOption({ label: "coconot-pref-construction v1 (reference)" });
  await page.getByRole("button", { name: "Apply" }).click();
  const contrast = page.getByTestId("contrast-table");
  await expect(contrast.getByRole("row", { name: /coconot-pref chosen/ })).toContainText("0.0%");
  await expect(contrast.getByRole("row", { name: /coconot-pref rejected/ })).toContainText("100.0%");

  // A table cell opens Browse with exactly the responses it counts.
  const cell = contrast.locator("a[data-n]").first();
  const n = Number(await cell.getAttribute("data-n"));
  expect(n).toBeGreaterThan(0);
  await cell.click();
  await expect(page).toHaveURL(/\/browse\?/);
  expect(await browseTotal(page)).toBe(n);
  await page.goBack();
  await expect(page).toHaveURL(/\/results/);

  // A bar opens Browse too, with the count of the matching table cell.
  await page.goto("/results");
  // The first bar tall enough to click (a 0% bar has no height).
  const bars = page.getByTestId("compliance-chart").locator(".recharts-bar-rectangle path");
  await expect(bars.first()).toBeVisible();
  let clicked = false;
  for (let i = 0; i < (await bars.count()) && !clicked; i++) {
    const box = await bars.nth(i).boundingBox();
    if (box && box.height > 4) {
      await bars.nth(i).click();
      clicked = true;
    }
  }
  expect(clicked).toBe(true);
  await expect(page).toHaveURL(/\/browse\?.*category=/);
  const url = new URL(page.url());
  const expected = await (async () => {
    const total = await browseTotal(page);
    await page.goto("/results");
    const c = page.getByTestId(`cell-${url.searchParams.get("run")}-${url.searchParams.get("category")}`).first();
    return { total, n: Number(await c.getAttribute("data-n")) };
  })();
  expect(expected.total).toBe(expected.n);

  // Open one response behind a number.
  await page.goto(`/browse${url.search}`);
  await page.getByTestId("open-response").first().click();
  await expect(page).toHaveURL(/\/browse\/[A-Za-z0-9_-]+$/);
  await expect(page.getByTestId("response-text")).not.toBeEmpty();
  await expect(page.getByTestId("labels")).toContainText("abstain-heuristic");
});

test("Browse filters live in the URL and report bad ones", async ({ page }) => {
  await loginAs(page, "researcher");
  await page.goto("/browse?expectation=should_comply&finalVerdict=maybe");
  await expect(page.getByTestId("filter-errors")).toContainText("finalVerdict");
  const all = await browseTotal(page);
  await page.getByLabel("Text in prompt or response").fill("fire");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/q=fire/);
  const some = await browseTotal(page);
  expect(some).toBeGreaterThan(0);
  expect(some).toBeLessThan(all);
  await page.getByTestId("open-response").first().click();
  await expect(page.locator("main")).toContainText(/fire/i);
});
