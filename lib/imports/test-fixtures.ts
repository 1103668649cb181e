// Shared by the import and export database tests: the CoCoNot taxonomy, table counts, CSV building.
import { readFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "csv-stringify/sync";
import type { Db } from "../db";
import type { SqlConnection } from "../migrations";
import { COCONOT_TAXONOMY } from "../taxonomy/coconot";
import { upsertTaxonomy } from "../taxonomy/data";
import { rubricFileSchema } from "../taxonomy/schema";

export async function seedTaxonomy(db: Db): Promise<void> {
  const file = path.join(process.cwd(), "prisma", "data", "coconot", "refusal_evaluation_rubric.json");
  await upsertTaxonomy(db, COCONOT_TAXONOMY, rubricFileSchema.parse(JSON.parse(readFileSync(file, "utf8"))));
}

export const TABLES = ["Dataset", "Prompt", "Model", "Run", "Response", "Judge", "JudgeLabel", "User", "HumanLabel", "HumanLabelRevision", "Adjudication", "Category", "Subcategory", "AuditLog"] as const;

export async function countAll(sql: SqlConnection): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}"`)).rows[0].n);
  return out;
}

export function csv(rows: (string | null)[][]): string {
  return stringify(rows.map((r) => r.map((c) => c ?? "")));
}
