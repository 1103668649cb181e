import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { requirePage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { getJobFormOptions } from "@/lib/jobs/data";
import { listJobs } from "@/lib/jobs/queue";
import { GenerateForm } from "./_components/generate-form";
import { JobsLive } from "./_components/jobs-live";
import { RunJudgeForm } from "./_components/run-judge-form";

export const metadata: Metadata = { title: "Jobs" };
export const dynamic = "force-dynamic";

/** "2026-11-27-2031" (UTC): a version label that is new unless someone started one this minute. */
function suggestedVersion(): string {
  return new Date().toISOString().slice(0, 16).replace("T", "-").replace(":", "");
}

export default async function JobsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage("/jobs");
  const sp = await searchParams;
  const db = await getDb();
  const [options, jobs] = await Promise.all([getJobFormOptions(db, typeof sp.browse === "string" ? sp.browse : undefined), listJobs(db)]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Jobs</h1>
        <p className="text-sm text-slate-600">
          Judging and response generation run in the background, in the app or in <code>npm run worker</code> processes. A job survives a
          restart and continues where it stopped; a response that fails is listed under the job and the job goes on. Each judge version
          keeps its own labels, so two versions can be compared in Results and Browse.
        </p>
      </div>
      <JobsLive initial={jobs.items} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Run a judge">
          <RunJudgeForm runs={options.runs} datasets={options.datasets} llm={options.llm} browse={options.browse} suggestedVersion={suggestedVersion()} />
        </Card>
        <Card title="Generate responses">
          <GenerateForm datasets={options.datasets} llm={options.llm} />
        </Card>
      </div>
    </div>
  );
}
