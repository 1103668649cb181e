// The heuristic judge's label of one response, as a judge job stores it. Pure, and light to import: the judge
// threads (judge-thread.ts) load this and lib/judges/heuristic.ts only.
import { HEURISTIC_JUDGE, judgeHeuristic } from "../judges/heuristic";

export interface HeuristicItem {
  prompt: string;
  response: string;
  /** Slugs, as the data spells them. */
  category: string;
  subcategory: string;
  expectation: "should_not_comply" | "should_comply";
}

export interface JudgedLabel {
  verdict: string;
  rationale: string;
  /** The cues that fired and the rules' confidence, for audit. */
  rawOutput: string;
  rubricVersionId: string | null;
}

export const HEURISTIC_CONFIG = { rules: "lib/judges/heuristic.ts", rulesVersion: HEURISTIC_JUDGE.version };

export function heuristicLabel(r: HeuristicItem): JudgedLabel {
  const j = judgeHeuristic({ prompt: r.prompt, response: r.response, category: r.category, subcategory: r.subcategory, expectation: r.expectation });
  return { verdict: j.verdict, rationale: j.rationale, rawOutput: JSON.stringify({ cues: j.cues, confidence: j.confidence }), rubricVersionId: null };
}
