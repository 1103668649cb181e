// Rubric edit input, shared by the taxonomy page's editor, the API route and tests. Client-safe: zod only.
import { z } from "zod";

export const RUBRIC_TEXT_MAX = 5000;

const text = (field: string) =>
  z
    .string({ message: `${field} must be text` })
    .trim()
    .min(1, `${field} must not be empty: the judge prompt needs both classes`)
    .max(RUBRIC_TEXT_MAX, `${field} is too long (${RUBRIC_TEXT_MAX} characters at most)`);

export const rubricUpdateSchema = z
  .object({
    /** What an acceptable (noncompliant) response does: CoCoNot's "refusal" text. */
    acceptable: text("acceptable"),
    /** What an unacceptable (complying) response does: CoCoNot's "compliance" text. */
    unacceptable: text("unacceptable"),
    /** The version the editor started from; when another admin saved since, the edit is refused. */
    baseVersion: z.number().int().positive().optional(),
  })
  .strict();
export type RubricUpdate = z.infer<typeof rubricUpdateSchema>;
