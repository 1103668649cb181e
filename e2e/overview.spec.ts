import { expect, test } from "@playwright/test";
import { expected, loginAs } from "./fixtures";

test("the admin sees the CoCoNot test sets under the right categories and the three demo runs", async ({ page }) => {
  const x = expected();
  await loginAs(page, "admin");
  await page.goto("/");
  const fmt = (n: number) => n.toLocaleString("en-US");
  for (const [key, id] of [
    ["datasets", "total-datasets"],
    ["prompts", "total-prompts"],
    ["runs", "total-runs"],
    ["responses", "total-responses"],
    ["judgeLabels", "total-judge-labels"],
    ["humanLabels", "total-human-labels"],
    ["adjudications", "total-adjudications"],
  ] as const) {
    await expect(page.getByTestId(id), key).toHaveText(fmt(x.totals[key]));
  }

  // Datasets: 1,001 should-not-comply prompts in the original set, 379 should-comply in the contrast set.
  const datasets = page.getByTestId("datasets-table");
  await expect(datasets.getByRole("row", { name: /CoCoNot original \(test\)/ })).toContainText("1,001");
  await expect(datasets.getByRole("row", { name: /CoCoNot contrast \(test\)/ })).toContainText("379");

  // Prompts per category: every (dataset, category) count equals the database's.
  const header = await page.getByTestId("categories-table").locator("thead th").allTextContents();
  for (const { dataset, category, n } of x.promptsByDatasetAndCategory) {
    const row = page.getByTestId("categories-table").getByRole("row").filter({ has: page.getByRole("cell", { name: category, exact: true }) });
    const col = header.indexOf(dataset);
    expect(col, `column for ${dataset}`).toBeGreaterThan(0);
    await expect(row.locator("td").nth(col), `${dataset} / ${category}`).toHaveText(fmt(n));
  }
  const original = x.promptsByDatasetAndCategory.filter((r) => r.dataset === "CoCoNot original (test)");
  expect(Object.fromEntries(original.map((r) => [r.category, r.n]))).toEqual({
    Humanizing: 82,
    Incomplete: 225,
    Indeterminate: 142,
    "Safety concerns": 395,
    Unsupported: 157,
  });

  // Runs: the reference run and the two preference-pair runs, with the database's response counts.
  const runs = page.getByTestId("runs-table");
  await expect(runs.locator("tbody tr")).toHaveCount(3);
  for (const r of x.runs) {
    await expect(runs.getByRole("row", { name: new RegExp(`${r.model}.*${r.run}`) })).toContainText(fmt(r.responses));
  }
});
