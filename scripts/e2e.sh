#!/usr/bin/env bash
# Browser tests: a dedicated database (a fresh one on the DATABASE_URL server, or a fresh embedded
# PGlite directory), the demo data, a build if the sources changed, then Playwright in Debian Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "error: Chromium not found at $CHROMIUM. Browser tests use Debian's chromium:" >&2
  echo "       apt-get update && apt-get install -y chromium   (or set CHROMIUM_PATH)" >&2
  exit 1
fi

export NEXTAUTH_SECRET="${NEXTAUTH_SECRET:-e2e-secret-$(date +%s)-$RANDOM$RANDOM}"
export E2E_PORT="${E2E_PORT:-3100}"
cleanup() { :; }
if [ -n "${DATABASE_URL:-}" ]; then
  base="$DATABASE_URL"
  db="abstain_e2e_$$"
  psql_url() { node -e 'const u=new URL(process.argv[1]); u.pathname="/"+process.argv[2]; console.log(u.toString())' "$base" "$1"; }
  node -e '
    const pg=require("pg"); const c=new pg.Client({connectionString:process.argv[1]});
    c.connect().then(()=>c.query(`CREATE DATABASE "${process.argv[2]}"`)).then(()=>c.end()).catch(e=>{console.error("error: cannot create the e2e database: "+e.message);process.exit(1)})' "$base" "$db"
  export DATABASE_URL="$(psql_url "$db")"
  cleanup() {
    node -e '
      const pg=require("pg"); const c=new pg.Client({connectionString:process.argv[1]});
      c.connect().then(()=>c.query(`DROP DATABASE IF EXISTS "${process.argv[2]}" WITH (FORCE)`)).then(()=>c.end()).catch(()=>{})' "$base" "$db"
  }
  echo "e2e on PostgreSQL (database $db)"
else
  unset DATABASE_URL
  export PGLITE_DIR=".data/e2e-pglite"
  rm -rf "$PGLITE_DIR" "$PGLITE_DIR.lock"
  echo "e2e on the embedded database ($PGLITE_DIR)"
fi
trap cleanup EXIT

npx tsx e2e/prepare.ts
rm -f e2e/.state/server.log
npx tsx scripts/build-if-stale.ts
npx playwright test "$@"
