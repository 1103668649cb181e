// A judge job started from the browser runs in the app's worker, shows its progress, and its labels
// appear in Browse (a new judge version: the demo's own heuristic labels stay as they were).
import { expect, test } from "@playwright/test";
import { loginAs } from "./fixtures";

test("a researcher runs the heuristic judge over a run and sees the labels appear", async ({ page }) => {
  test.setTimeout(120_000);
  await loginAs(page, "researcher");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Jobs" }).click();
  const form = page.getByRole("form", { name: "Run a judge" });
  // (A label wrapping a select also holds the options' text: select by name.)
  await form.locator('select[name="kind"]').selectOption("heuristic");
  const version = `e2e-${Date.now()}`;
  await form.getByLabel("Version label").fill(version);
  await form.getByLabel("A run").check();
  const run = form.locator('select[name="runId"]');
  const option = run.locator("option", { hasText: "coconot-pref chosen" });
  const label = (await option.textContent())!;
  const responses = Number(label.match(/\(([\d,]+) responses\)/)![1].replace(/,/g, ""));
  expect(responses).toBeGreaterThan(0);
  await run.selectOption((await option.getAttribute("value"))!);
  await form.getByRole("button", { name: "Start judging" }).click();

  const row = page.getByTestId("job-row").filter({ hasText: version });
  await expect(row).toBeVisible();
  await expect(row.getByRole("progressbar")).toBeVisible();
  await expect(row).toHaveAttribute("data-status", "succeeded", { timeout: 90_000 });
  await expect(row.getByTestId("job-counts")).toHaveText(`${responses.toLocaleString("en-US")} / ${responses.toLocaleString("en-US")} done`);
  await expect(row.getByTestId("job-failed")).toHaveText("0 failed");

  // Browse, filtered to this judge version's labels on that run: one per response.
  await row.getByTestId("job-link").click();
  await expect(page).toHaveURL(/\/browse\?.*judge=/);
  await expect(page.getByTestId("browse-total")).toHaveText(responses.toLocaleString("en-US"));
});
