// PostgreSQL goes down under a running app and comes back: the annotator is told the label was not saved
// and why, pages say the database is unreachable and come back by themselves, the same app process (no
// restart) serves again, and the stored labels are exactly the ones the annotator saw accepted.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { openDb } from "../../lib/db";
import { seedDemo } from "../../lib/demo/seed";
import { startPgServer, pgServerUnavailable, type PgServer } from "../../lib/test/pg-server";
import { loginAs } from "../fixtures";

const port = Number(process.env.E2E_FAULTS_PORT ?? 3102);
const base = `http://localhost:${port}`;
let server: PgServer;
let app: ChildProcess;
let url: string;

async function health(): Promise<number> {
  return fetch(`${base}/api/health`).then((r) => r.status).catch(() => 0);
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const why = pgServerUnavailable();
  test.skip(why !== null, why ?? "");
  server = await startPgServer();
  url = await server.createDatabase("abstain_outage");
  const opened = await openDb({ url });
  await seedDemo(opened.db);
  await opened.close();
  mkdirSync("e2e/.state", { recursive: true });
  const log = openSync("e2e/.state/outage-app.log", "w");
  app = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port)], {
    env: { ...process.env, DATABASE_URL: url, NEXTAUTH_URL: base, NEXTAUTH_SECRET: "outage-test-secret-0123456789", NEXT_TELEMETRY_DISABLED: "1" },
    // The app logs every failed request of the outage with a stack; keep that out of the test output.
    stdio: ["ignore", log, log],
  });
  for (let i = 0; i < 120 && (await health()) !== 200; i++) await new Promise((r) => setTimeout(r, 500));
  expect(await health()).toBe(200);
});

test.afterAll(async () => {
  app?.kill("SIGTERM");
  await server?.destroy();
});

async function labelsInDb(): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query(`SELECT count(*) FROM "HumanLabel" l JOIN "User" u ON u.id = l."annotatorId" WHERE u.email = 'annotator1@abstain.local'`)).rows[0].count);
  } finally {
    await c.end();
  }
}

test("an outage during an annotation session: reported, recovered without a restart, no label lost or doubled", async ({ page }) => {
  const before = await labelsInDb();
  await loginAs(page, "annotator");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Queues" }).click();
  await page.getByTestId("queue-row").getByRole("link", { name: "Annotate" }).first().click();
  const item = page.getByTestId("annotate-item");
  const next = async () => {
    await page.keyboard.press("Enter");
    await expect(item).toBeVisible();
  };

  // One label saved normally.
  await expect(item).toBeVisible();
  await page.keyboard.press("4");
  await expect(page.getByTestId("reveal")).toBeVisible();
  await next();

  // The database goes down (a service restart: sessions terminated). The next label is refused, with the reason.
  await server.stop("fast");
  const pending = await item.getAttribute("data-response-id");
  await page.keyboard.press("4");
  await expect(page.getByTestId("annotate-message")).toContainText(/Not saved: .*database is unreachable/i);
  expect(await health()).toBe(503);

  // A page opened now says so, instead of a bare error.
  const other = await page.context().newPage();
  await other.goto("/queues");
  await expect(other.getByTestId("page-error")).toContainText("The database is unreachable");

  // Back up: the waiting page loads itself again, and the same app process serves.
  await server.start();
  await expect(other.getByTestId("queue-row").first()).toBeVisible({ timeout: 30_000 });
  expect(await health()).toBe(200);

  // The annotator submits the refused label again: accepted once.
  await expect(item).toHaveAttribute("data-response-id", pending!);
  await page.keyboard.press("4");
  await expect(page.getByTestId("reveal")).toBeVisible();
  await next();
  await page.keyboard.press("3");
  await expect(page.getByTestId("reveal")).toBeVisible();

  expect(await labelsInDb()).toBe(before + 3);
});
