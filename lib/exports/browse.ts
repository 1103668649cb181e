// From a Browse selection (ids in the URL) to export options (names, which an export's sidecar records so it
// can be replayed on another database). Every Browse filter has an export field, so the export holds exactly the
// responses Browse lists for the same URL (all pages; the order and the cursor are Browse's paging, not a
// filter). lib/exports/browse.db.test.ts compares the two.
import type { BrowseFilter } from "../browse/schema";
import { browseSourceKind } from "../browse/where";
import type { SqlConnection } from "../migrations";
import type { ExportFilter } from "./schema";

/** Stands for an id that does not exist, as Browse treats it: it matches nothing (no name looks like this). */
const missing = (what: string, id: string) => `(no ${what} with id ${id})`;

export async function exportOptionsFromBrowse(
  sql: SqlConnection,
  f: BrowseFilter,
): Promise<{ filter: ExportFilter; judge?: { name: string; version: string }; ignored: string[] }> {
  // One round trip for every id the filter names.
  const { rows: [r] } = await sql.query<{ dataset: string | null; run: string | null; model: string | null; sub: string | null; subCategory: string | null; annotator: string | null; judgeName: string | null; judgeVersion: string | null }>(
    `SELECT (SELECT slug FROM "Dataset" WHERE id = $1) AS dataset,
            (SELECT ru.name FROM "Run" ru WHERE ru.id = $2) AS run,
            (SELECT m.name FROM "Run" ru JOIN "Model" m ON m.id = ru."modelId" WHERE ru.id = $2) AS model,
            (SELECT s.slug FROM "Subcategory" s WHERE s.id = $3) AS sub,
            (SELECT c.slug FROM "Subcategory" s JOIN "Category" c ON c.id = s."categoryId" WHERE s.id = $3) AS "subCategory",
            (SELECT email FROM "User" WHERE id = $4) AS annotator,
            (SELECT name FROM "Judge" WHERE id = $5) AS "judgeName",
            (SELECT version FROM "Judge" WHERE id = $5) AS "judgeVersion"`,
    [f.dataset ?? null, f.run ?? null, f.subcategory ?? null, f.annotator ?? null, f.judge ?? null],
  );
  const filter: ExportFilter = {};
  if (f.dataset) filter.datasets = [r.dataset ?? missing("dataset", f.dataset)];
  if (f.run) {
    filter.runs = [r.run ?? missing("run", f.run)];
    filter.models = [r.model ?? missing("run", f.run)];
  }
  if (f.category) filter.categories = [f.category];
  if (f.subcategory) {
    // A subcategory is named by its slug within its category. Browse ANDs a category filter with it: when the
    // two disagree Browse lists nothing, and so must the export (the slug may exist in the other category too).
    const inOther = f.category !== undefined && r.subCategory !== null && r.subCategory !== f.category;
    filter.subcategories = [r.sub && !inOther ? r.sub : missing("subcategory", f.subcategory)];
    if (!f.category && r.subCategory) filter.categories = [r.subCategory];
  }
  if (f.expectation) filter.expectation = f.expectation;
  if (f.q) filter.text = f.q;
  if (f.judgeVerdict) filter.judgeVerdict = f.judgeVerdict;
  if (f.humanVerdict) filter.humanVerdict = f.humanVerdict;
  if (f.finalVerdict) filter.finalVerdict = f.finalVerdict;
  if (f.labelled) filter.labelled = true;
  if (f.disagree) filter.disagree = true;
  if (f.annotator) filter.annotators = [r.annotator ?? missing("annotator", f.annotator)];
  // Explicit, so that an unknown judge id (Browse: best available without a judge) keeps Browse's source.
  filter.source = browseSourceKind(f);
  const judge = r.judgeName !== null && r.judgeVersion !== null ? { name: r.judgeName, version: r.judgeVersion } : undefined;
  // Nothing is left out any more; kept for the route's X-Abstain-Export header.
  return { filter, judge, ignored: [] };
}
