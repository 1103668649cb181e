import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { readJson, zodMessage } from "@/lib/http";
import { getLlmSettingsForClient, updateLlmSettings } from "@/lib/settings/llm";
import { llmSettingsUpdateSchema } from "@/lib/settings/schema";

export const dynamic = "force-dynamic";

// The LLM endpoint settings. Responses never contain the API key, only `hasApiKey`.
export const GET = apiRoute("/api/settings/llm", async () => NextResponse.json(await getLlmSettingsForClient(await getDb())));

export const PUT = apiRoute("/api/settings/llm", async (req, { user }) => {
  const parsed = llmSettingsUpdateSchema.safeParse(await readJson(req));
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error), parsed.error.issues);
  return NextResponse.json(await updateLlmSettings(await getDb(), parsed.data, user.id));
});
