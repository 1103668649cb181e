// Parsing of the CoCoNot JSONL files (pure). Records are validated per line; every problem names the
// line, the field and what is wrong, and all problems are reported together.
import { z } from "zod";

export const coconotRecordSchema = z.object({
  id: z.string().min(1, "must not be empty"),
  category: z.string().min(1, "must not be empty"),
  subcategory: z.string().min(1, "must not be empty"),
  prompt: z.string().min(1, "must not be empty"),
  // Test files leave it empty; the June-2024 files carry reference responses (sometimes null).
  response: z.string().nullish(),
});
export type CoconotRecord = z.infer<typeof coconotRecordSchema>;

export const coconotPrefRecordSchema = z.object({
  id: z.string().min(1, "must not be empty"),
  category: z.string().min(1, "must not be empty"),
  subcategory: z.string().min(1, "must not be empty"),
  prompt: z.string().min(1, "must not be empty"),
  chosen: z.string(),
  chosen_model: z.string().optional(),
  rejected: z.string(),
  rejected_model: z.string().optional(),
});
export type CoconotPrefRecord = z.infer<typeof coconotPrefRecordSchema>;

export interface LineProblem {
  line: number;
  field?: string;
  message: string;
}

export class ParseProblems extends Error {
  constructor(
    readonly file: string,
    readonly problems: LineProblem[],
  ) {
    const shown = problems.slice(0, 20).map((p) => `  line ${p.line}${p.field ? `, field "${p.field}"` : ""}: ${p.message}`);
    const more = problems.length > 20 ? `\n  … and ${problems.length - 20} more` : "";
    super(`${file}: ${problems.length} problem(s); nothing was written.\n${shown.join("\n")}${more}`);
    this.name = "ParseProblems";
  }
}

/** Parses JSON Lines with a schema. Blank lines are skipped; a UTF-8 BOM and CRLF endings are accepted. */
export function parseJsonl<T>(file: string, text: string, schema: z.ZodType<T>): { line: number; record: T }[] {
  const out: { line: number; record: T }[] = [];
  const problems: LineProblem[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      problems.push({ line, message: `not valid JSON (${(err as Error).message}); each line must be one JSON object` });
      return;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({ line, field: issue.path.join(".") || undefined, message: issue.message });
      }
      return;
    }
    out.push({ line, record: parsed.data });
  });
  if (problems.length) throw new ParseProblems(file, problems);
  return out;
}

/** A record's response text, or null when it has none (null, empty or only white space). */
export function responseText(value: string | null | undefined): string | null {
  return value && value.trim() !== "" ? value : null;
}
