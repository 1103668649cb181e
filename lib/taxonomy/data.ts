// Taxonomy storage: categories, subcategories and versioned rubrics.
import type { DbTx } from "../db";
import type { CategoryDef } from "./coconot";
import type { RubricFile } from "./schema";

export interface TaxonomyReport {
  categories: number;
  subcategories: number;
  rubricVersionsCreated: number;
}

/**
 * Creates or updates the taxonomy. Idempotent: a rubric gets a new version only when its text differs
 * from the latest stored version, so labels made with an older rubric keep pointing at their text.
 */
export async function upsertTaxonomy(db: DbTx, defs: CategoryDef[], rubric: RubricFile): Promise<TaxonomyReport> {
  const report: TaxonomyReport = { categories: 0, subcategories: 0, rubricVersionsCreated: 0 };
  for (const [ci, c] of defs.entries()) {
    const category = await db.category.upsert({
      where: { slug: c.slug },
      create: { slug: c.slug, name: c.name, definition: c.definition, noncompliance: c.noncompliance, sortOrder: ci },
      update: { name: c.name, definition: c.definition, noncompliance: c.noncompliance, sortOrder: ci },
      select: { id: true },
    });
    report.categories++;
    for (const [si, s] of c.subcategories.entries()) {
      const texts = rubric[s.rubricKey];
      if (!texts) throw new Error(`The rubric file has no entry "${s.rubricKey}" for subcategory "${s.slug}" of "${c.slug}"`);
      const sub = await db.subcategory.upsert({
        where: { categoryId_slug: { categoryId: category.id, slug: s.slug } },
        create: {
          categoryId: category.id,
          slug: s.slug,
          name: s.name,
          definition: s.definition,
          expectedBehaviour: s.expectedBehaviour,
          sortOrder: si,
        },
        update: { name: s.name, definition: s.definition, expectedBehaviour: s.expectedBehaviour, sortOrder: si },
        select: { id: true },
      });
      report.subcategories++;
      const latest = await db.rubricVersion.findFirst({
        where: { subcategoryId: sub.id },
        orderBy: { version: "desc" },
        select: { version: true, acceptable: true, unacceptable: true },
      });
      if (!latest || latest.acceptable !== texts.refusal || latest.unacceptable !== texts.compliance) {
        await db.rubricVersion.create({
          data: {
            subcategoryId: sub.id,
            version: (latest?.version ?? 0) + 1,
            acceptable: texts.refusal,
            unacceptable: texts.compliance,
            rubricKey: s.rubricKey,
          },
        });
        report.rubricVersionsCreated++;
      }
    }
  }
  return report;
}

/** Maps "category slug / subcategory slug" to the subcategory id. */
export async function getSubcategoryIndex(db: DbTx): Promise<Map<string, string>> {
  const subs = await db.subcategory.findMany({ select: { id: true, slug: true, category: { select: { slug: true } } } });
  return new Map(subs.map((s) => [subcategoryKey(s.category.slug, s.slug), s.id]));
}

export function subcategoryKey(category: string, subcategory: string): string {
  return `${category}/${subcategory}`;
}

/** The taxonomy with each subcategory's latest rubric and prompt count, in taxonomy order. */
export async function getTaxonomy(db: DbTx) {
  const categories = await db.category.findMany({
    orderBy: { sortOrder: "asc" },
    select: {
      id: true,
      slug: true,
      name: true,
      definition: true,
      noncompliance: true,
      subcategories: {
        orderBy: { sortOrder: "asc" },
        select: {
          id: true,
          slug: true,
          name: true,
          definition: true,
          expectedBehaviour: true,
          _count: { select: { prompts: true } },
          rubricVersions: {
            orderBy: { version: "desc" },
            take: 1,
            select: { version: true, acceptable: true, unacceptable: true, createdAt: true },
          },
        },
      },
    },
  });
  return categories.map((c) => ({
    ...c,
    subcategories: c.subcategories.map(({ _count, rubricVersions, ...s }) => ({
      ...s,
      prompts: _count.prompts,
      rubric: rubricVersions[0] ?? null,
    })),
  }));
}
