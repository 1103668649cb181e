// The CoCoNot file formats as mapping presets: the upload page shows them like any other mapping, and the CLI's
// --format coconot / coconot-pref build them from flags. Pure.
import { COCONOT_SUBCATEGORY_ALIASES, COCONOT_TAXONOMY } from "../taxonomy/coconot";
import type { Expectation, ImportMappingInput } from "./schema";

/** The spelling differences between CoCoNot files ("false information" in coconot_pref.jsonl), as explicit mappings. */
export function coconotAliases(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [alias, slug] of Object.entries(COCONOT_SUBCATEGORY_ALIASES)) {
    for (const c of COCONOT_TAXONOMY) {
      if (c.subcategories.some((s) => s.slug === slug)) out[`${c.slug}/${alias}`] = `${c.slug}/${slug}`;
    }
  }
  return out;
}

export interface CoconotPresetOptions {
  dataset: string;
  /** CoCoNot's original set: should_not_comply; the contrast set: should_comply. The file does not say. */
  expectation: Expectation;
  /** With model and run, the `response` field becomes that run's responses; without, prompts only. */
  model?: string;
  run?: string;
}

/** CoCoNot JSONL: {id, category, subcategory, prompt, response?}. Empty responses are skipped and counted. */
export function coconotMapping(o: CoconotPresetOptions): ImportMappingInput {
  return {
    dataset: { value: o.dataset },
    prompt: {
      id: { column: "id" },
      text: { column: "prompt" },
      category: { column: "category" },
      subcategory: { column: "subcategory" },
      expectation: { value: o.expectation },
    },
    responses: o.model || o.run ? [{ text: { column: "response" }, model: { value: o.model ?? "" }, run: { value: o.run ?? "" } }] : [],
    subcategoryMap: coconotAliases(),
  };
}

export interface CoconotPrefPresetOptions {
  dataset?: string;
  chosenModel?: string;
  rejectedModel?: string;
  chosenRun?: string;
  rejectedRun?: string;
}

/** Defaults equal the demo seed's (lib/demo/seed.ts), so importing coconot_pref.jsonl over the demo changes nothing. */
export const COCONOT_PREF_DEFAULTS = {
  dataset: "coconot-pref",
  chosenModel: "gpt-4",
  rejectedModel: "coconot-pref-rejected",
  chosenRun: "coconot-pref chosen",
  rejectedRun: "coconot-pref rejected",
  judge: "coconot-pref-construction",
} as const;

/**
 * CoCoNot preference JSONL: {id, category, subcategory, prompt, chosen, rejected}. Its prompts should be complied
 * with; each row becomes two responses in two runs, labelled the way CoCoNot built the pairs (chosen = complied,
 * rejected = noncompliant) by a `reference` judge.
 */
export function coconotPrefMapping(o: CoconotPrefPresetOptions = {}): ImportMappingInput {
  const d = { ...COCONOT_PREF_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  const side = (column: "chosen" | "rejected", model: string, run: string, verdict: "complied" | "noncompliant") => ({
    text: { column },
    model: { value: model },
    run: { value: run },
    judges: [
      {
        name: { value: COCONOT_PREF_DEFAULTS.judge },
        version: { value: "1" },
        kind: "reference" as const,
        verdict: { value: verdict },
        rationale: { value: `CoCoNot preference pair, ${column} side` },
      },
    ],
  });
  return {
    dataset: { value: d.dataset },
    prompt: {
      id: { column: "id" },
      text: { column: "prompt" },
      category: { column: "category" },
      subcategory: { column: "subcategory" },
      expectation: { value: "should_comply" },
    },
    responses: [side("chosen", d.chosenModel, d.chosenRun, "complied"), side("rejected", d.rejectedModel, d.rejectedRun, "noncompliant")],
    subcategoryMap: coconotAliases(),
  };
}
