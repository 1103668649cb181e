// Every text field a user sends through a form or an API body has a stated maximum, and a value one past it is
// refused with a message that names the field, the length and the limit. (Import files: lib/imports/limits.test.ts.)
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { browseFilterSchema } from "../browse/schema";
import { exportFilterSchema } from "../exports/schema";
import { zodMessage } from "../http";
import { createJobSchema } from "../jobs/schema";
import { adjudicateSchema, createQueueSchema, submitSchema } from "../queues/schema";
import { llmSettingsUpdateSchema } from "../settings/schema";
import { rubricUpdateSchema } from "../taxonomy/rubric-schema";
import { createUserSchema } from "../users/schema";
import { TEXT_LIMITS, tooLongMessage } from "./text";

type Case = {
  name: string;
  schema: z.ZodType;
  /** A valid input with `text` at the field. */
  input: (text: string) => unknown;
  path: string;
  max: number;
  /** Text of a given length that is otherwise valid for the field. */
  fill?: (n: number) => string;
  /** The refusal, when the schema words it itself (lib/jobs and lib/taxonomy keep their own wording). */
  message?: string;
};

const email = (n: number) => `${"a".repeat(60)}@${"b".repeat(n - 60 - 1 - 4)}.org`;
const url = (n: number) => `https://x.org/${"p".repeat(n - 14)}`;

const CASES: Case[] = [
  { name: "queue name", schema: createQueueSchema, input: (t) => ({ name: t, k: 1, selection: { kind: "stratified", perCell: 1 } }), path: "name", max: 120 },
  { name: "queue description", schema: createQueueSchema, input: (t) => ({ name: "q", description: t, k: 1, selection: { kind: "stratified", perCell: 1 } }), path: "description", max: 2000 },
  { name: "label note", schema: submitSchema, input: (t) => ({ itemId: "i1", verdict: "complied", note: t }), path: "note", max: TEXT_LIMITS.note },
  { name: "adjudication note", schema: adjudicateSchema, input: (t) => ({ responseId: "r1", verdict: "partial", reason: "other", note: t, expectedVersion: null }), path: "note", max: TEXT_LIMITS.note },
  { name: "user name", schema: createUserSchema, input: (t) => ({ email: "a@b.org", name: t, password: "long enough password", role: "annotator" }), path: "name", max: 120 },
  { name: "user e-mail", schema: createUserSchema, input: (t) => ({ email: t, name: "A", password: "long enough password", role: "annotator" }), path: "email", max: 254, fill: email },
  { name: "LLM base URL", schema: llmSettingsUpdateSchema, input: (t) => ({ baseUrl: t }), path: "baseUrl", max: 500, fill: url },
  { name: "LLM model", schema: llmSettingsUpdateSchema, input: (t) => ({ model: t }), path: "model", max: 200 },
  { name: "LLM API key", schema: llmSettingsUpdateSchema, input: (t) => ({ apiKey: t }), path: "apiKey", max: 1000 },
  { name: "Browse text search", schema: browseFilterSchema, input: (t) => ({ q: t }), path: "q", max: 200 },
  { name: "Browse category", schema: browseFilterSchema, input: (t) => ({ category: t }), path: "category", max: 200 },
  { name: "export text filter", schema: exportFilterSchema, input: (t) => ({ text: t }), path: "text", max: 200 },
  { name: "export model name", schema: exportFilterSchema, input: (t) => ({ models: [t] }), path: "models.0", max: TEXT_LIMITS.name },
  {
    name: "rubric text",
    schema: rubricUpdateSchema,
    input: (t) => ({ acceptable: t, unacceptable: "u" }),
    path: "acceptable",
    max: 5000,
    message: "acceptable is too long (5000 characters at most)",
  },
  {
    name: "generation model name",
    schema: createJobSchema,
    input: (t) => ({ kind: "generate", params: { datasetId: "d1", modelName: t, runName: "r" } }),
    path: "params.modelName",
    max: 200,
    message: "modelName is too long (200 characters at most)",
  },
  {
    name: "generation system prompt",
    schema: createJobSchema,
    input: (t) => ({ kind: "generate", params: { datasetId: "d1", modelName: "m", runName: "r", systemPrompt: t } }),
    path: "params.systemPrompt",
    max: 20_000,
    message: "systemPrompt is too long (20000 characters at most)",
  },
  {
    name: "LLM judge version",
    schema: createJobSchema,
    input: (t) => ({ kind: "judge", params: { judge: { kind: "llm", version: t }, selection: { runId: "r1" } } }),
    path: "params.judge.version",
    max: 100,
    message: "version is too long (100 characters at most)",
  },
];

describe("text limits of forms and API bodies", () => {
  for (const c of CASES) {
    const fill = c.fill ?? ((n: number) => "x".repeat(n));
    it(`${c.name} (${c.path}): at most ${c.max.toLocaleString("en")} characters`, () => {
      expect(fill(c.max)).toHaveLength(c.max);
      const atMax = c.schema.safeParse(c.input(fill(c.max)));
      expect(atMax.error?.issues ?? []).toEqual([]);
      const over = c.schema.safeParse(c.input(fill(c.max + 1)));
      expect(over.success).toBe(false);
      expect(zodMessage(over.error!)).toBe(`${c.path}: ${c.message ?? tooLongMessage(c.max + 1, c.max)}`);
    });
  }
});
