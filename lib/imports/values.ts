// Value mappings: how a cell of a label column becomes a verdict. Pure.
//
// At import time only two things are understood without an entry in the mapping: an empty cell (no label)
// and the four verdict names themselves. Everything else must be in the column's `values` map, which
// suggestMapping fills from the dictionary below and the user confirms, so nothing is interpreted silently.
import type { Expectation, ValueMap, Verdict, VerdictTarget } from "./schema";

export const VERDICTS: readonly Verdict[] = ["complied", "noncompliant", "partial", "unclear"];
export const EXPECTATIONS: readonly Expectation[] = ["should_not_comply", "should_comply"];

/** Lookup key of a value map entry or a cell: trimmed, lower-case. */
export const valueKey = (v: string) => v.trim().toLowerCase();

/** Looser key for recognising spellings in suggestions: also spaces and hyphens → underscore. */
const looseKey = (v: string) => valueKey(v).replace(/[\s-]+/g, "_");

/**
 * Spellings seen in refusal benchmarks, for suggestions. XSTest and CoCoNot's human evaluation use
 * 1_full_compliance / 2_full_refusal / 3_partial_refusal; CoCoNot's judge says ACCEPTABLE / UNACCEPTABLE /
 * NEITHER, which depends on the prompt's expectation (see verdictTargetSchema).
 */
const KNOWN: Record<string, VerdictTarget> = {
  complied: "complied",
  comply: "complied",
  compliant: "complied",
  compliance: "complied",
  full_compliance: "complied",
  "1_full_compliance": "complied",
  answered: "complied",
  noncompliant: "noncompliant",
  non_compliant: "noncompliant",
  noncompliance: "noncompliant",
  non_compliance: "noncompliant",
  refusal: "noncompliant",
  refused: "noncompliant",
  refuse: "noncompliant",
  full_refusal: "noncompliant",
  "2_full_refusal": "noncompliant",
  declined: "noncompliant",
  partial: "partial",
  partial_refusal: "partial",
  "3_partial_refusal": "partial",
  partial_compliance: "partial",
  partially_complied: "partial",
  unclear: "unclear",
  neither: "unclear",
  ambiguous: "unclear",
  acceptable: "acceptable",
  unacceptable: "unacceptable",
  "n/a": "skip",
  na: "skip",
  skip: "skip",
};

const TRUE = new Set(["true", "yes", "y", "1", "t"]);
const FALSE = new Set(["false", "no", "n", "0", "f"]);

/**
 * Polarity of a yes/no label column, from its header: "is_refusal", "refused" → yes means noncompliant;
 * "complied", "is_compliant" → yes means complied. Null when the header says neither.
 */
export function booleanPolarity(header: string): "refusal" | "compliance" | null {
  const h = looseKey(header);
  if (/refus|noncompl|non_compl|declin/.test(h)) return "refusal";
  if (/compl/.test(h)) return "compliance";
  return null;
}

/** A suggested target for one file value of a label column, or null when it is not recognised. */
export function suggestVerdictTarget(value: string, header: string): VerdictTarget | null {
  const k = looseKey(value);
  if (k === "") return null;
  const polarity = booleanPolarity(header);
  if (polarity && (TRUE.has(k) || FALSE.has(k))) {
    const yes = TRUE.has(k);
    return polarity === "refusal" ? (yes ? "noncompliant" : "complied") : yes ? "complied" : "noncompliant";
  }
  return KNOWN[k] ?? null;
}

/** Value map entries for the yes/no spellings of a polar column (used when no sample values are known). */
export function booleanValueMap(header: string): ValueMap {
  const polarity = booleanPolarity(header);
  if (!polarity) return {};
  const yes: VerdictTarget = polarity === "refusal" ? "noncompliant" : "complied";
  const no: VerdictTarget = polarity === "refusal" ? "complied" : "noncompliant";
  return { true: yes, false: no, yes, no };
}

export function suggestExpectation(value: string): Expectation | null {
  const k = looseKey(value);
  if (["should_not_comply", "should_refuse", "noncompliance", "refuse", "original", "unsafe", "harmful"].includes(k)) return "should_not_comply";
  if (["should_comply", "comply", "compliance", "contrast", "safe", "benign"].includes(k)) return "should_comply";
  return null;
}

export type CompiledValueMap = ReadonlyMap<string, VerdictTarget>;

/** The map used at import time: the column's entries (case-insensitive) over the four verdict names. */
export function compileValueMap(values: ValueMap | undefined): CompiledValueMap {
  const m = new Map<string, VerdictTarget>(VERDICTS.map((v) => [v, v]));
  for (const [k, v] of Object.entries(values ?? {})) m.set(valueKey(k), v);
  return m;
}

export type VerdictResult = { kind: "verdict"; verdict: Verdict } | { kind: "none" } | { kind: "unmapped"; value: string };

/** Turns a cell into a verdict, resolving acceptable / unacceptable by the prompt's expectation. */
export function resolveVerdict(raw: string | null, map: CompiledValueMap, expectation: Expectation): VerdictResult {
  if (raw === null || raw.trim() === "") return { kind: "none" };
  const target = map.get(valueKey(raw));
  if (target === undefined) return { kind: "unmapped", value: raw.trim() };
  if (target === "skip") return { kind: "none" };
  if (target === "acceptable") return { kind: "verdict", verdict: expectation === "should_not_comply" ? "noncompliant" : "complied" };
  if (target === "unacceptable") return { kind: "verdict", verdict: expectation === "should_not_comply" ? "complied" : "noncompliant" };
  return { kind: "verdict", verdict: target };
}
