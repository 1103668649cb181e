// Which labels a rate counts. Client-safe.
import { z } from "zod";

export const labelSourceKinds = ["best", "judge", "adjudicated"] as const;
export type LabelSourceKind = (typeof labelSourceKinds)[number];

/**
 * - judge: one chosen judge version's labels;
 * - adjudicated: only verdicts an adjudicator set;
 * - best: per response, the adjudicated verdict, else the human consensus (a strict majority of the
 *   annotators' current labels), else the chosen judge version's label.
 */
export type LabelSource = { kind: "judge"; judgeId: string } | { kind: "adjudicated" } | { kind: "best"; judgeId: string };

export const LABEL_SOURCE_TEXT: Record<LabelSourceKind, string> = {
  best: "Best available: adjudicated, else human consensus (strict majority), else the judge",
  judge: "The chosen judge version only",
  adjudicated: "Human-adjudicated verdicts only",
};

/** Parses `source` and `judge` URL parameters; falls back to `best` with the given default judge. */
export function parseLabelSource(source: string | undefined, judge: string | undefined, defaultJudgeId: string | null): LabelSource | null {
  const judgeId = judge || defaultJudgeId;
  if (source === "adjudicated") return { kind: "adjudicated" };
  if (source === "judge") return judgeId ? { kind: "judge", judgeId } : null;
  return judgeId ? { kind: "best", judgeId } : { kind: "adjudicated" };
}

export function labelSourceParams(s: LabelSource): Record<string, string> {
  return s.kind === "adjudicated" ? { source: "adjudicated" } : { source: s.kind, judge: s.judgeId };
}
