// Browser fault test: the app on a throw-away PostgreSQL server that the test stops and starts
// (e2e/faults/*.spec.ts). The spec starts that server and the app itself, since the database must exist
// before the app does; scripts/e2e-faults.sh runs it after a build.
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

export default defineConfig({
  testDir: "./e2e/faults",
  timeout: 180_000,
  expect: { timeout: 15_000 },
  workers: 1,
  reporter: [["list"]],
  use: { ...base.use, baseURL: `http://localhost:${Number(process.env.E2E_FAULTS_PORT ?? 3102)}` },
});
