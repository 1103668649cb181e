// npm run demo: the app on the embedded database with the demo data, for a first look.
// 1. loads the demo data into .data/pglite (idempotent), 2. builds the app if the build is missing or
// older than the sources, 3. starts it. Ctrl-C stops it.
import { spawn } from "node:child_process";
import path from "node:path";
import { closeDb, getOpenedDb } from "../lib/db";
import { seedDemo } from "../lib/demo/seed";
import { env } from "../lib/env";
import { buildIfStale } from "./build-if-stale";
import { printSeedReport } from "./seed-report";

const port = Number(process.env.PORT ?? 3000);
if (process.env.DATABASE_URL) {
  console.log("Note: the demo runs on the embedded database; DATABASE_URL is ignored here (use npm run db:seed for a server).");
  delete process.env.DATABASE_URL;
}

console.log(`Loading the demo data into the embedded database at ${env().PGLITE_DIR} …`);
try {
  const { db } = await getOpenedDb();
  printSeedReport(await seedDemo(db));
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
} finally {
  await closeDb(); // the app opens the database itself: PGlite allows one process at a time
}

buildIfStale();
const next = path.join("node_modules", "next", "dist", "bin", "next");

console.log(`\nStarting Abstain on http://localhost:${port} (Ctrl-C to stop) …`);
const child = spawn(process.execPath, [next, "start", "-p", String(port)], {
  stdio: "inherit",
  env: { ...process.env, NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`, NEXT_TELEMETRY_DISABLED: "1" },
});
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
