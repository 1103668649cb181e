#!/usr/bin/env bash
# npm test: unit tests, database tests, fault tests (PostgreSQL run only) and browser tests, against DATABASE_URL
# when it is set and the embedded database otherwise. Stops at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "error: Chromium is missing, so the browser tests cannot run." >&2
  echo "       Install Debian's package: apt-get update && apt-get install -y chromium   (or set CHROMIUM_PATH)" >&2
  exit 1
fi

if [ -n "${DATABASE_URL:-}" ]; then echo "== database: PostgreSQL (DATABASE_URL)"; else echo "== database: embedded PGlite"; fi
echo "== typecheck"; npx tsc --noEmit
echo "== unit tests"; npx vitest run --project unit
echo "== database tests"; npx vitest run --project db
if [ -n "${DATABASE_URL:-}" ]; then
  echo "== fault tests (PostgreSQL stopped and started under jobs, imports and annotation; a throw-away server, not DATABASE_URL's)"
  npx vitest run --project faults
else
  echo "== fault tests: skipped (they run in the PostgreSQL run, with DATABASE_URL set; the embedded database has no server to restart)"
fi
echo "== browser tests"; bash scripts/e2e.sh
if [ -n "${DATABASE_URL:-}" ]; then
  echo "== browser fault test (the app on a throw-away PostgreSQL server stopped under an annotation session)"
  npx playwright test -c playwright.faults.config.ts
fi
