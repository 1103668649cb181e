// Driver adapter used ONLY by the Prisma CLI (prisma.config.ts) for Migrate with the WASM schema
// engine (no binary download). Works around two adapter-pg bugs seen in 6.19.3:
//  1. pg_catalog "name"/"char" columns are not mapped -> prisma/orm#27403
//  2. connectToShadowDb() drops the shadow DB while its own pool is still connected
//     (and a connectionString overrides the shadow `database`).
//  3. executeScript() splits a migration on every ";", which breaks dollar-quoted function bodies
//     (our triggers): the script is sent whole instead (PostgreSQL's simple query protocol runs
//     several statements in one message).
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

// "char" (18) and name (19), and their arrays, are read as text / text[].
const REMAP: Record<number, number> = { 18: 25, 19: 25, 1002: 1009, 1003: 1009 };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Result = (pg as any).Result;
if (!Result.prototype.__abstainPatched) {
  const orig = Result.prototype.addFields;
  Result.prototype.addFields = function (fields: { dataTypeID: number }[]) {
    for (const f of fields) if (REMAP[f.dataTypeID]) f.dataTypeID = REMAP[f.dataTypeID];
    return orig.call(this, fields);
  };
  Result.prototype.__abstainPatched = true;
}

export function pgConfig(url: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    idleTimeoutMillis: 500, // lets the CLI process exit promptly
  };
}

async function admin(cfg: pg.PoolConfig, sql: string) {
  const c = new pg.Client(cfg);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function wholeScripts(adapter: any) {
  adapter.executeScript = async (script: string) => {
    try {
      await adapter.client.query(script);
    } catch (error) {
      adapter.onError(error);
    }
  };
  return adapter;
}

export class PrismaPgMigrate extends PrismaPg {
  constructor(private cfg: pg.PoolConfig) {
    super(cfg);
  }
  async connect() {
    return wholeScripts(await super.connect());
  }
  async connectToShadowDb() {
    const db = `prisma_shadow_${crypto.randomUUID().replace(/-/g, "")}`;
    await admin(this.cfg, `CREATE DATABASE "${db}"`);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const adapter: any = wholeScripts(await new PrismaPg({ ...this.cfg, database: db }).connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose(); // closes the shadow pool first
      await admin(this.cfg, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    };
    return adapter;
  }
}
