// The handler of each job kind (lib/jobs/worker.ts runs them).
import type { HandlerRegistry } from "../worker";
import { generateHandler } from "./generate";
import { importHandler } from "./import";
import { judgeHandler } from "./judge";

export const defaultHandlers: HandlerRegistry = {
  judge: judgeHandler,
  generate: generateHandler,
  import: importHandler,
};
