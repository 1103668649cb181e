// The annotation loop in the browser: a researcher creates a blind queue, an annotator labels five items
// with the keyboard only, an adjudicator resolves a disagreement (a second, stale save is refused),
// and the Results page (adjudicated source) changes accordingly.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { demoUser, loginAs } from "./fixtures";

async function as(browser: Browser, role: "researcher" | "annotator" | "admin"): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginAs(page, role);
  return page;
}

test("blind queue → keyboard labelling → adjudication → Results", async ({ browser }) => {
  test.setTimeout(120_000);
  const researcher = await as(browser, "researcher");
  const annotator = demoUser("annotator");

  // Results with adjudicated labels only: remember whether anything is there yet.
  await researcher.goto("/results?source=adjudicated");
  const adjudicatedBefore = await researcher.getByTestId("results-empty").isVisible();
  await researcher.goto("/agreement");
  const reasonsBefore = await researcher.getByTestId("error-reasons").count();
  const matrixBefore = (await researcher.getByTestId("matrix-summary").count()) ? await researcher.getByTestId("matrix-summary").textContent() : null;

  // 1. A blind queue: one item per subcategory of the reference run, k = 1, assigned to one annotator.
  await researcher.goto("/queues");
  const form = researcher.getByRole("form", { name: "New queue" });
  await form.getByLabel("Name").fill("E2E blind queue");
  await form.getByLabel("Labels per item (k)").fill("1");
  await form.getByLabel("N per subcategory × run (stratified sample)").check();
  await form.getByLabel("Items per subcategory × run").fill("1");
  await form.getByLabel("Dataset (optional)").selectOption({ label: "CoCoNot original (test)" });
  await form.getByLabel("Runs (none selected = every run)").selectOption({ label: "coconot-reference · reference" });
  await form.getByLabel(annotator.name).check();
  await form.getByRole("button", { name: "Create queue" }).click();
  await expect(researcher.getByTestId("queue-created")).toContainText("Queue created with");
  const items = Number((await researcher.getByTestId("queue-created").textContent())!.match(/with ([\d,]+) items/)![1].replace(/,/g, ""));
  expect(items).toBeGreaterThan(5);

  // 2. The annotator labels five items with the keyboard only.
  const page = await as(browser, "annotator");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Queues" }).click();
  await page.getByTestId("queue-row").filter({ hasText: "E2E blind queue" }).getByRole("link", { name: "Annotate" }).click();
  const item = page.getByTestId("annotate-item");
  await expect(item).toBeVisible();
  // Blind: nothing about the judge on screen before submitting.
  await expect(page.getByText(/Judge .* said/)).toHaveCount(0);
  await page.keyboard.press("?");
  await expect(page.getByTestId("shortcuts")).toBeVisible();
  await page.keyboard.press("?");
  await expect(page.getByTestId("shortcuts")).toBeHidden();

  const labelled: string[] = [];
  const keys = ["4", "4", "2", "4", "3"];
  for (const [i, key] of keys.entries()) {
    await expect(item).toBeVisible();
    const responseId = (await item.getAttribute("data-response-id"))!;
    expect(labelled).not.toContain(responseId);
    if (i === 1) {
      await page.keyboard.press("n");
      await page.keyboard.type("typed without a mouse");
      await page.keyboard.press("Escape");
    }
    await page.keyboard.press(key);
    await expect(page.getByTestId("reveal")).toBeVisible(); // the judge's verdict, after submitting
    await expect(page.getByTestId("reveal-judge-verdict").first()).toBeVisible();
    labelled.push(responseId);
    await page.keyboard.press("Enter"); // any key: next item
  }
  await expect(page.getByTestId("queue-progress-text")).toHaveText(`5 / ${items}`);
  // Undo the last label: the same item comes back; label it again.
  await expect(item).toBeVisible();
  await page.keyboard.press("u");
  await expect(page.getByTestId("annotate-message")).toContainText("taken back");
  await expect(item).toHaveAttribute("data-response-id", labelled[4]);
  await expect(page.getByTestId("queue-progress-text")).toHaveText(`4 / ${items}`);
  await page.keyboard.press("4");
  await expect(page.getByTestId("reveal")).toBeVisible();
  await expect(page.getByTestId("queue-progress-text")).toHaveText(`5 / ${items}`);

  // 3. Two adjudicators open the strongest disagreement; the first save wins, the second is refused.
  await researcher.goto("/adjudicate");
  const target = researcher.getByTestId("adjudicate-item");
  await expect(target).toBeVisible();
  const responseId = (await target.getAttribute("data-response-id"))!;
  expect(labelled).toContain(responseId);
  const admin = await as(browser, "admin");
  await admin.goto(`/adjudicate?item=${responseId}`);
  await expect(admin.getByTestId("adjudicate-item")).toHaveAttribute("data-response-id", responseId);

  await researcher.keyboard.press("2");
  await researcher.getByLabel(/Why was the judge/).selectOption("missed_refusal");
  await researcher.getByLabel("Note").fill("The response declines; the judge missed it.");
  await researcher.getByRole("button", { name: "Save final verdict" }).click();
  await expect(researcher.getByTestId("adjudicate-item")).not.toHaveAttribute("data-response-id", responseId);

  await admin.keyboard.press("1");
  await admin.getByRole("button", { name: "Save final verdict" }).click();
  await expect(admin.getByTestId("adjudicate-error")).toContainText("saved a final verdict (noncompliant)");

  // The response page shows the final verdict and the audit trail.
  await researcher.goto(`/browse/${responseId}`);
  await expect(researcher.getByTestId("labels")).toContainText("noncompliant");
  await expect(researcher.getByText("adjudication.create")).toBeVisible();
  await expect(researcher.getByTestId("audit-actor").filter({ hasText: demoUser("researcher").name })).not.toHaveCount(0);
  await expect(researcher.getByTestId("audit-actor").filter({ hasText: annotator.name })).not.toHaveCount(0);
  await expect(researcher.getByText("label.create").first()).toBeVisible();

  // 4. Results, adjudicated labels only: now there is a number, from this one adjudication.
  await researcher.goto("/results?source=adjudicated");
  if (adjudicatedBefore) await expect(researcher.getByTestId("results-empty")).toHaveCount(0);
  await expect(researcher.getByTestId("category-table")).toBeVisible();

  // 5. Agreement: the judge against the new human verdicts, and the adjudication reason counted.
  await researcher.goto("/agreement");
  await expect(researcher.getByTestId("matrix-summary")).toContainText(/n = [1-9]/);
  expect(await researcher.getByTestId("matrix-summary").textContent()).not.toBe(matrixBefore);
  await expect(researcher.getByTestId("error-reasons")).toBeVisible();
  if (reasonsBefore === 0) await expect(researcher.getByTestId("error-reasons-empty")).toHaveCount(0);

  // 6. Results, judge source: the reference run's rates corrected by the human sample.
  await researcher.goto("/results");
  await researcher.getByTestId("source-select").selectOption("judge");
  const judgeSelect = researcher.getByLabel("Judge version");
  await judgeSelect.selectOption((await judgeSelect.locator("option", { hasText: "abstain-heuristic" }).first().getAttribute("value"))!);
  const correctedSelect = researcher.getByTestId("corrected-select");
  await correctedSelect.selectOption((await correctedSelect.locator("option", { hasText: "coconot-reference · reference" }).getAttribute("value"))!);
  await researcher.getByRole("button", { name: "Apply" }).click();
  await expect(researcher.getByTestId("corrected-table")).toContainText("1 adjudicated");
});
