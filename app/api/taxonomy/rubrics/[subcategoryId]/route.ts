import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { readJson, zodMessage } from "@/lib/http";
import { updateRubric } from "@/lib/taxonomy/rubric";
import { rubricUpdateSchema } from "@/lib/taxonomy/rubric-schema";

export const dynamic = "force-dynamic";

// Saves an edited rubric as a new version of the subcategory's rubric (earlier versions are kept).
export const PUT = apiRoute<{ params: Promise<{ subcategoryId: string }> }>(
  "/api/taxonomy/rubrics/[subcategoryId]",
  async (req, { params, user }) => {
    const { subcategoryId } = await params;
    const parsed = rubricUpdateSchema.safeParse(await readJson(req));
    if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error), parsed.error.issues);
    const { created, rubric } = await updateRubric(await getDb(), subcategoryId, parsed.data, user.id);
    return NextResponse.json(
      { created, rubric: { ...rubric, createdAt: rubric.createdAt.toISOString() } },
      { status: created ? 201 : 200 },
    );
  },
);
