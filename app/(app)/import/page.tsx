import type { Metadata } from "next";
import { requirePage } from "@/lib/auth/session";
import { ImportWizard } from "./_components/import-wizard";

export const metadata: Metadata = { title: "Import" };
export const dynamic = "force-dynamic";

export default async function ImportPage() {
  const user = await requirePage("/import");
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Import</h1>
        <p className="text-sm text-slate-600">
          Prompts, model responses and existing labels from CoCoNot JSONL, CoCoNot preference pairs, or any CSV, TSV or JSONL
          through a column mapping. The whole file is checked first: if anything is wrong, nothing is written, and every
          problem is listed with its line and what to do. Importing the same file again changes nothing.
        </p>
      </div>
      <ImportWizard isAdmin={user.role === "admin"} />
    </div>
  );
}
