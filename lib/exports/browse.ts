// From a Browse selection (ids in the URL) to export options (names, which an export's sidecar records so it
// can be replayed on another database). Browse filters the export filter cannot express are named in `ignored`.
import type { BrowseFilter } from "../browse/schema";
import type { SqlConnection } from "../migrations";
import type { ExportFilter } from "./schema";

const EXPRESSIBLE = new Set(["dataset", "run", "category", "subcategory", "expectation", "judge", "source", "sort", "after", "labelled"]);

export async function exportOptionsFromBrowse(
  sql: SqlConnection,
  f: BrowseFilter,
): Promise<{ filter: ExportFilter; judge?: { name: string; version: string }; ignored: string[] }> {
  const one = async <T>(q: string, v: string) => (await sql.query<T>(q, [v])).rows[0];
  const filter: ExportFilter = {};
  if (f.dataset) {
    const d = await one<{ slug: string }>(`SELECT slug FROM "Dataset" WHERE id = $1`, f.dataset);
    filter.datasets = [d?.slug ?? "\u0000none"];
  }
  if (f.run) {
    const r = await one<{ run: string; model: string }>(`SELECT ru.name AS run, m.name AS model FROM "Run" ru JOIN "Model" m ON m.id = ru."modelId" WHERE ru.id = $1`, f.run);
    filter.runs = [r?.run ?? "\u0000none"];
    filter.models = [r?.model ?? "\u0000none"];
  }
  if (f.category) filter.categories = [f.category];
  if (f.subcategory) {
    const s = await one<{ slug: string; category: string }>(
      `SELECT s.slug, c.slug AS category FROM "Subcategory" s JOIN "Category" c ON c.id = s."categoryId" WHERE s.id = $1`,
      f.subcategory,
    );
    filter.subcategories = [s?.slug ?? "\u0000none"];
    filter.categories = [s?.category ?? "\u0000none"];
  }
  if (f.expectation) filter.expectation = f.expectation;
  let judge: { name: string; version: string } | undefined;
  if (f.judge) {
    const j = await one<{ name: string; version: string }>(`SELECT name, version FROM "Judge" WHERE id = $1`, f.judge);
    if (j) judge = j;
  }
  const ignored = Object.entries(f)
    .filter(([k, v]) => v !== undefined && !EXPRESSIBLE.has(k))
    .map(([k]) => k);
  if (f.labelled) ignored.push("labelled");
  return { filter, judge, ignored };
}
