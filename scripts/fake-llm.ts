// A fake OpenAI-compatible endpoint for demos and browser tests (lib/llm/fake-server.ts, "smart" answers):
//
//   npx tsx scripts/fake-llm.ts [--port 3999] [--host 127.0.0.1] [--api-key KEY]
//
// Then point the app at it: LLM_BASE_URL=http://127.0.0.1:3999/v1 LLM_MODEL=fake-llm (or Admin → Settings).
// Judge prompts get a rationale and a label from the offline heuristic judge; other prompts a fixed refusal or a
// short answer, chosen by a hash of the prompt. Stops on Ctrl-C / SIGTERM.
import { parseArgs } from "node:util";
import { startFakeLlm } from "../lib/llm/fake-server";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "3999" },
    host: { type: "string", default: "127.0.0.1" },
    "api-key": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log("usage: npx tsx scripts/fake-llm.ts [--port 3999] [--host 127.0.0.1] [--api-key KEY]");
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`error: --port must be a port number (0-65535), got "${values.port}"`);
  process.exit(1);
}

const fake = await startFakeLlm({ port, host: values.host, apiKey: values["api-key"] });
console.log(`fake LLM listening on ${fake.url} (POST ${fake.url}/chat/completions)${values["api-key"] ? ", API key required" : ""}`);
let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void fake.close().then(() => {
      console.log(`fake LLM stopped after ${fake.requests.length} requests`);
      process.exit(0);
    });
  });
}
