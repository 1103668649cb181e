// Runs in the browser before any of the app's modules. zod compiles object schemas with new Function()
// when it may; under the page's Content-Security-Policy (no 'unsafe-eval') its start-up probe for that
// is refused, and the browser reports a violation for every page that builds a schema. jitless skips
// the probe and the compilation; validation in the browser is only for forms, so speed does not matter.
import { z } from "zod";

z.config({ jitless: true });
