// Export filter (names, as a sidecar records them) → a response selection (ids). The SQL comes from
// lib/browse/where.ts, the one builder Browse uses too, so an export and the Browse page of the same filters
// select the same responses (lib/exports/browse.db.test.ts).
import { browseSourceKind, type ResponseSelection } from "../browse/where";
import type { SqlConnection } from "../migrations";
import type { ExportFilter } from "./schema";

/**
 * Resolves every name of the filter to the ids it means, in one round trip. A list matches "any of"; a name
 * that does not exist matches nothing (a filter naming only unknown datasets exports no rows, as before).
 * Runs are the runs named `runs` of the models named `models`; subcategories are the subcategories named
 * `subcategories` within `categories` (when given). `judgeId` is the export's judge version (null: none).
 */
export async function resolveExportFilter(db: { sql: SqlConnection }, filter: ExportFilter, judgeId: string | null): Promise<ResponseSelection> {
  const parts: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const ids = (name: string, query: string) => parts.push(`'${name}', (SELECT coalesce(json_agg(id ORDER BY id), '[]') FROM (${query}) x)`);
  if (filter.datasets) ids("datasets", `SELECT id FROM "Dataset" WHERE slug = ANY(${p(filter.datasets)}::text[])`);
  if (filter.models || filter.runs) {
    const w = [filter.models ? `m.name = ANY(${p(filter.models)}::text[])` : "TRUE", filter.runs ? `ru.name = ANY(${p(filter.runs)}::text[])` : "TRUE"];
    ids("runs", `SELECT ru.id FROM "Run" ru JOIN "Model" m ON m.id = ru."modelId" WHERE ${w.join(" AND ")}`);
  }
  if (filter.subcategories) {
    const inCategories = filter.categories ? ` AND c.slug = ANY(${p(filter.categories)}::text[])` : "";
    ids("subcategories", `SELECT s.id FROM "Subcategory" s JOIN "Category" c ON c.id = s."categoryId" WHERE s.slug = ANY(${p(filter.subcategories)}::text[])${inCategories}`);
  }
  if (filter.annotators) ids("annotators", `SELECT id FROM "User" WHERE email = ANY(${p(filter.annotators.map((e) => e.toLowerCase()))}::text[])`);
  const resolved: Record<string, string[]> = parts.length
    ? JSON.parse((await db.sql.query<{ doc: string }>(`SELECT json_build_object(${parts.join(", ")})::text AS doc`, params)).rows[0].doc)
    : {};
  return {
    datasetIds: resolved.datasets,
    runIds: resolved.runs,
    categorySlugs: filter.categories,
    subcategoryIds: resolved.subcategories,
    expectation: filter.expectation,
    judgeVerdict: filter.judgeVerdict,
    humanVerdict: filter.humanVerdict,
    finalVerdict: filter.finalVerdict,
    labelled: filter.labelled || undefined,
    disagree: filter.disagree || undefined,
    annotatorIds: resolved.annotators,
    text: filter.text,
    source: filter.source ?? browseSourceKind({ judge: judgeId ?? undefined }),
    judgeId,
  };
}
