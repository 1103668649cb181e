// Datasets and prompts.
import type { DbTx } from "../db";
import type { Expectation } from "../generated/prisma/enums";

export interface DatasetInput {
  slug: string;
  name: string;
  description?: string;
  source?: string;
  license?: string;
}

export async function ensureDataset(db: DbTx, d: DatasetInput): Promise<{ id: string }> {
  return db.dataset.upsert({
    where: { slug: d.slug },
    create: { slug: d.slug, name: d.name, description: d.description ?? "", source: d.source ?? "", license: d.license ?? "" },
    update: {},
    select: { id: true },
  });
}

export interface PromptInput {
  externalId: string;
  text: string;
  subcategoryId: string;
  expectation: Expectation;
}

export interface PromptConflict {
  externalId: string;
  field: "text" | "subcategory" | "expectation";
}

export interface AddPromptsResult {
  created: number;
  unchanged: number;
  conflicts: PromptConflict[];
  /** externalId -> prompt id, for every input prompt that is stored (created or unchanged). */
  ids: Map<string, string>;
}

const CHUNK = 1000;

/**
 * Adds prompts to a dataset. Idempotent: a prompt already stored with the same text, subcategory and
 * expectation is left alone; one stored with a different value is a conflict, reported and not overwritten.
 */
export async function addPrompts(db: DbTx, datasetId: string, prompts: PromptInput[]): Promise<AddPromptsResult> {
  const result: AddPromptsResult = { created: 0, unchanged: 0, conflicts: [], ids: new Map() };
  for (let i = 0; i < prompts.length; i += CHUNK) {
    const chunk = prompts.slice(i, i + CHUNK);
    const existing = await db.prompt.findMany({
      where: { datasetId, externalId: { in: chunk.map((p) => p.externalId) } },
      select: { id: true, externalId: true, text: true, subcategoryId: true, expectation: true },
    });
    const byId = new Map(existing.map((e) => [e.externalId, e]));
    const fresh: PromptInput[] = [];
    for (const p of chunk) {
      const e = byId.get(p.externalId);
      if (!e) {
        fresh.push(p);
        continue;
      }
      const field = e.text !== p.text ? "text" : e.subcategoryId !== p.subcategoryId ? "subcategory" : e.expectation !== p.expectation ? "expectation" : null;
      if (field) result.conflicts.push({ externalId: p.externalId, field });
      else {
        result.unchanged++;
        result.ids.set(p.externalId, e.id);
      }
    }
    if (fresh.length) {
      const created = await db.prompt.createManyAndReturn({
        data: fresh.map((p) => ({ ...p, datasetId })),
        select: { id: true, externalId: true },
      });
      for (const c of created) result.ids.set(c.externalId, c.id);
      result.created += created.length;
    }
  }
  return result;
}
