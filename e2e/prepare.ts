// Prepares the e2e database before the app server starts (the embedded database admits one process,
// so everything the browser tests need is written here, through lib/ functions): the demo data, plus
// the expected overview numbers computed with plain SQL, independently of lib/overview.
import { mkdirSync, writeFileSync } from "node:fs";
import { openDb } from "../lib/db";
import { seedDemo } from "../lib/demo/seed";
import { env } from "../lib/env";

const e = env();
const opened = await openDb({ url: e.DATABASE_URL, dir: e.PGLITE_DIR });
try {
  await seedDemo(opened.db);
  const q = async (sql: string) => (await opened.sql.query<Record<string, unknown>>(sql)).rows;
  const one = async (sql: string) => Number(Object.values((await q(sql))[0])[0]);
  const expected = {
    totals: {
      datasets: await one(`SELECT count(*) FROM "Dataset"`),
      prompts: await one(`SELECT count(*) FROM "Prompt"`),
      runs: await one(`SELECT count(*) FROM "Run"`),
      responses: await one(`SELECT count(*) FROM "Response"`),
      judgeLabels: await one(`SELECT count(*) FROM "JudgeLabel"`),
      humanLabels: await one(`SELECT count(*) FROM "HumanLabel"`),
      adjudications: await one(`SELECT count(*) FROM "Adjudication"`),
    },
    promptsByDatasetAndCategory: await q(`
      SELECT d.name AS dataset, c.name AS category, count(*)::int AS n
      FROM "Prompt" p JOIN "Dataset" d ON d.id = p."datasetId"
      JOIN "Subcategory" s ON s.id = p."subcategoryId" JOIN "Category" c ON c.id = s."categoryId"
      GROUP BY d.name, c.name ORDER BY d.name, c.name`),
    runs: await q(`
      SELECT m.name AS model, r.name AS run, count(x.id)::int AS responses
      FROM "Run" r JOIN "Model" m ON m.id = r."modelId" LEFT JOIN "Response" x ON x."runId" = r.id
      GROUP BY m.name, r.name ORDER BY m.name, r.name`),
  };
  mkdirSync("e2e/.state", { recursive: true });
  writeFileSync("e2e/.state/expected.json", JSON.stringify(expected, null, 2));
  console.log(`e2e database ready (${opened.kind}): ${expected.totals.prompts} prompts, ${expected.totals.responses} responses.`);
} finally {
  await opened.close();
}
