// Builds the app (next build) when .next is missing or older than any source file, so repeated test
// runs and demos do not rebuild needlessly. `--force` always builds.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const SOURCES = ["app", "components", "lib", "public", "auth.ts", "proxy.ts", "instrumentation.ts", "instrumentation-client.ts", "next.config.js", "postcss.config.mjs", "package-lock.json", "prisma/schema.prisma"];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(p)
    .filter((n) => n !== "node_modules" && !n.endsWith(".test.ts"))
    .reduce((m, n) => Math.max(m, newestMtime(path.join(p, n))), s.mtimeMs);
}

export function buildIfStale(force = false): void {
  const buildId = path.join(".next", "BUILD_ID");
  const stale = force || !existsSync(buildId) || SOURCES.some((s) => newestMtime(s) > statSync(buildId).mtimeMs);
  if (!stale) {
    console.log("The build is up to date.");
    return;
  }
  console.log("Building the app (next build; about a minute on 2 cores) …");
  const next = path.join("node_modules", "next", "dist", "bin", "next");
  const b = spawnSync(process.execPath, [next, "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (b.status !== 0) {
    console.error("error: next build failed (see above).");
    process.exit(b.status ?? 1);
  }
}

if (process.argv[1]?.endsWith("build-if-stale.ts")) buildIfStale(process.argv.includes("--force"));
