// Structured logs (pino). Secrets never go in: the redact list is a second line of defence.
import pino from "pino";
import { env } from "./env";

export const log = pino({
  level: env().LOG_LEVEL,
  redact: {
    paths: ["password", "passwordHash", "*.password", "*.passwordHash", "apiKey", "*.apiKey", "secret", "*.secret"],
    censor: "[redacted]",
  },
});
