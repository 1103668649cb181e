// Browser tests in Debian's Chromium (never a downloaded browser build). Started through
// scripts/e2e.sh, which prepares a dedicated database and the build first.
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://localhost:${port}`;
export const SERVER_LOG = "e2e/.state/server.log";

export default defineConfig({
  testDir: "./e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1, // one app server on an embedded database: keep the tests in sequence
  reporter: [["list"]],
  use: {
    baseURL,
    browserName: "chromium",
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  // Specs that compare pages with the numbers e2e/prepare.ts computed run before the ones that add data;
  // the secrets check runs last, over the server log that all of them wrote.
  projects: [
    // e2e/faults/ has its own config (playwright.faults.config.ts): it starts its own app and database.
    { name: "seeded", testIgnore: [/(import-export|annotate|jobs|hostile|a11y|secrets)\.spec\.ts/, /\/faults\//] },
    { name: "adds-data", testMatch: /(import-export|annotate|jobs|hostile|a11y)\.spec\.ts/, dependencies: ["seeded"] },
    { name: "last", testMatch: /secrets\.spec\.ts/, dependencies: ["adds-data"] },
  ],
  webServer: {
    // The server's log also goes to a file that e2e/secrets.spec.ts searches for secrets. Idle connections are
    // kept longer than Node's 5 s: a test's API client reuses a connection after seconds of browser steps, and a
    // server closing it at that moment answers the next request with ECONNRESET.
    command: `bash -c 'exec node node_modules/next/dist/bin/next start -p ${port} --keepAliveTimeout 120000 > >(tee -a ${SERVER_LOG}) 2>&1'`,
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    // debug: the most the app ever logs, so the secrets check sees every log line that could leak.
    env: { NEXTAUTH_URL: baseURL, NEXT_TELEMETRY_DISABLED: "1", LOG_LEVEL: "debug" },
  },
});
