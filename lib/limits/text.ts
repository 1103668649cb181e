// The longest text each field takes, wherever it comes from (a form, an API body, an import file), and the
// wording of the refusal. Client-safe: no I/O.
//
// The limits are far above real data (CoCoNot's longest prompt is 990 characters, its longest response 2,892)
// and exist so that one field cannot make a page, a search index entry or an export row arbitrarily large.
// Names and ids also sit in unique B-tree indexes, whose entries PostgreSQL caps at about 2,700 bytes: 200
// characters of up to 4 UTF-8 bytes each stay under it, so an over-long name is a located problem, not a
// failed insert halfway through an import. Lengths are counted as JavaScript (and zod) count them, in UTF-16
// code units: an emoji counts as 2.

export const TEXT_LIMITS = {
  /** A prompt. */
  prompt: 100_000,
  /** A model response: a generation job may ask for 32,000 tokens, about 130,000 characters of English. */
  response: 200_000,
  /** A judge's rationale (the LLM judge's is at most 256 tokens). */
  rationale: 20_000,
  /** The note of a human label or an adjudication (annotation and adjudication pages, imports). */
  note: 4_000,
  /** Names and ids: dataset, prompt id, model, run, judge name and version, category, subcategory. */
  name: 200,
  /** An annotator or adjudicator as a file names them: an e-mail address (at most 254 characters) or a name. */
  person: 254,
} as const;

/** "120,004 characters; at most 100,000" (the caller says which field, and where). */
export function tooLongMessage(length: number, max: number): string {
  return `${length.toLocaleString("en")} characters; at most ${max.toLocaleString("en")}`;
}

/**
 * zod params for a string's `.max(max, …)`: the message states the length and the limit, and the callers'
 * messages prefix the field's path ("note: 4,512 characters; at most 4,000").
 */
export function tooLong(max: number): { error: (issue: { input?: unknown }) => string } {
  return { error: (issue) => tooLongMessage(typeof issue.input === "string" ? issue.input.length : max + 1, max) };
}
