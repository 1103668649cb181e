// The rubric file format (CoCoNot prompts/refusal_evaluation_rubric.json): subcategory -> texts.
import { z } from "zod";

export const rubricFileSchema = z.record(
  z.string(),
  z.object({ refusal: z.string(), compliance: z.string() }).strict(),
);
export type RubricFile = z.infer<typeof rubricFileSchema>;
