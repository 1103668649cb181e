"use client";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { formatDuration, percentDone } from "@/lib/jobs/eta";
import { isActive, type JobDetail, type JobItemErrorView, type JobStatus, type JobView } from "@/lib/jobs/schema";
import { JOB_CREATED_EVENT } from "./jobs-events";

/** Poll every second while a job is queued or running; otherwise now and then, for jobs others start. */
const ACTIVE_POLL_MS = 1000;
const IDLE_POLL_MS = 15_000;

const TONE: Record<JobStatus, "slate" | "blue" | "green" | "amber" | "red"> = {
  queued: "slate",
  running: "blue",
  succeeded: "green",
  failed: "red",
  cancelled: "amber",
};

const when = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "");
const n = (x: number) => x.toLocaleString("en-US");

export function JobsLive({ initial }: { initial: JobView[] }) {
  const [jobs, setJobs] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = useCallback(async () => {
    if (timer.current) clearTimeout(timer.current);
    let next = IDLE_POLL_MS;
    try {
      const res = await fetch("/api/jobs", { cache: "no-store" });
      const json = await res.json();
      if (!res.ok) throw new Error(json?.error?.message ?? `The server answered ${res.status}.`);
      setJobs(json.items);
      setError(null);
      if ((json.items as JobView[]).some((j) => isActive(j.status))) next = ACTIVE_POLL_MS;
    } catch (err) {
      setError(`Could not refresh the jobs: ${(err as Error).message}`);
      next = 5000;
    }
    timer.current = setTimeout(refresh, next);
  }, []);

  useEffect(() => {
    timer.current = setTimeout(refresh, initial.some((j) => isActive(j.status)) ? ACTIVE_POLL_MS : IDLE_POLL_MS);
    const onCreated = () => void refresh();
    window.addEventListener(JOB_CREATED_EVENT, onCreated);
    return () => {
      if (timer.current) clearTimeout(timer.current);
      window.removeEventListener(JOB_CREATED_EVENT, onCreated);
    };
  }, [refresh, initial]);

  async function cancel(job: JobView) {
    const res = await fetch(`/api/jobs/${job.id}`, { method: "DELETE" });
    if (!res.ok) {
      const json = await res.json().catch(() => null);
      setError(json?.error?.message ?? `Cancelling failed (HTTP ${res.status}).`);
    }
    await refresh();
  }

  return (
    <section aria-label="Jobs" className="rounded-lg border border-slate-200 bg-white shadow-sm">
      <h2 className="border-b border-slate-200 px-4 py-3 text-base font-semibold text-slate-800">Jobs</h2>
      {error ? (
        <p role="alert" className="px-4 py-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {jobs.length === 0 ? (
        <p className="px-4 py-6 text-sm text-slate-600" data-testid="no-jobs">
          No jobs yet. Start one below: judge a run, a dataset or a Browse selection, or generate a model&apos;s responses.
        </p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} onCancel={() => cancel(job)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function JobRow({ job, onCancel }: { job: JobView; onCancel: () => void }) {
  const active = isActive(job.status);
  // A job that succeeded is complete even when its selection was empty (total 0).
  const pct = job.status === "succeeded" ? 100 : percentDone(job.done, job.total);
  return (
    <li className="space-y-2 px-4 py-3" data-testid="job-row" data-job-id={job.id} data-status={job.status}>
      <div className="flex flex-wrap items-center gap-3">
        <span className="font-medium text-slate-900" data-testid="job-title">
          {job.title}
        </span>
        <Badge tone={TONE[job.status]}>
          <span data-testid="job-status">{job.cancelRequested && active ? "cancelling" : job.status}</span>
        </Badge>
        <span className="text-xs text-slate-500">
          {job.createdBy ? `${job.createdBy} · ` : ""}
          {when(job.createdAt)}
          {job.attempts > 1 ? ` · resumed ${job.attempts - 1}×` : ""}
        </span>
        <span className="ml-auto flex items-center gap-3">
          {job.href ? (
            <Link href={job.href} className="text-sm text-blue-700 underline" data-testid="job-link">
              {job.kind === "judge" ? "See the labels" : "See the responses"}
            </Link>
          ) : null}
          {active && !job.cancelRequested ? (
            <Button variant="secondary" onClick={onCancel} aria-label={`Cancel job: ${job.title}`}>
              Cancel
            </Button>
          ) : null}
        </span>
      </div>
      <div
        role="progressbar"
        aria-label={`Progress: ${job.title}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={pct === null ? "not started" : `${pct}%`}
        className="h-2 w-full overflow-hidden rounded bg-slate-100"
      >
        <div
          className={`h-full ${job.status === "failed" ? "bg-red-500" : job.status === "cancelled" ? "bg-amber-500" : job.status === "succeeded" ? "bg-green-600" : "bg-blue-600"}`}
          style={{ width: `${pct ?? 0}%` }}
        />
      </div>
      <div className="flex flex-wrap gap-x-4 text-sm text-slate-700">
        <span data-testid="job-counts">
          {n(job.done)} / {job.total || !active ? n(job.total) : "?"} done
        </span>
        <span data-testid="job-failed" className={job.failed ? "text-red-700" : ""}>
          {n(job.failed)} failed
        </span>
        {job.status === "running" ? (
          <span data-testid="job-eta">
            {job.etaSeconds !== null ? `about ${formatDuration(job.etaSeconds)} left` : "estimating time left…"}
            {job.rate !== null ? ` (${job.rate >= 10 ? n(Math.round(job.rate)) : job.rate.toFixed(1)}/s)` : ""}
          </span>
        ) : null}
        {job.status === "queued" ? <span className="text-slate-500">waiting for a worker</span> : null}
        {job.finishedAt && job.startedAt ? <span className="text-slate-500">took {formatDuration((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000)}</span> : null}
      </div>
      {job.error ? (
        <p className="text-sm text-red-700" data-testid="job-error">
          {job.error}
        </p>
      ) : null}
      {job.status === "succeeded" && job.result ? <ResultLine result={job.result as Record<string, unknown>} /> : null}
      {job.errorCount > 0 ? <ItemErrors job={job} /> : null}
    </li>
  );
}

/** The summary a finished job left, as a sentence. */
function ResultLine({ result }: { result: Record<string, unknown> }) {
  const num = (k: string) => (typeof result[k] === "number" ? (result[k] as number) : null);
  const some = (k: string) => (num(k) ?? 0) > 0;
  const parts = [
    num("labelsCreated") !== null ? `${n(num("labelsCreated")!)} labels written` : null,
    some("alreadyLabelled") ? `${n(num("alreadyLabelled")!)} already labelled by this version` : null,
    num("responsesCreated") !== null ? `${n(num("responsesCreated")!)} responses written` : null,
    some("alreadyAnswered") ? `${n(num("alreadyAnswered")!)} prompts already answered in this run` : null,
    typeof result.status === "string" && num("records") !== null ? `import ${result.status}: ${n(num("records")!)} records` : null,
  ].filter(Boolean);
  return parts.length ? (
    <p className="text-sm text-slate-600" data-testid="job-result">
      {parts.join(" · ")}
    </p>
  ) : null;
}

/** The failed items of a job, loaded when opened. */
function ItemErrors({ job }: { job: JobView }) {
  const [errors, setErrors] = useState<JobItemErrorView[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  async function load() {
    try {
      const res = await fetch(`/api/jobs/${job.id}`, { cache: "no-store" });
      const json = (await res.json()) as JobDetail & { error?: { message: string } };
      if (!res.ok) throw new Error(json?.error?.message ?? `HTTP ${res.status}`);
      setErrors(json.errors);
    } catch (err) {
      setProblem((err as Error).message);
    }
  }
  return (
    <details
      className="text-sm"
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open) void load();
      }}
    >
      <summary className="cursor-pointer text-red-700" data-testid="job-errors-toggle">
        {n(job.errorCount)} failed item{job.errorCount === 1 ? "" : "s"}
      </summary>
      {problem ? <p role="alert">{problem}</p> : null}
      {errors ? (
        <ul className="mt-1 max-h-64 space-y-1 overflow-auto rounded border border-slate-200 bg-slate-50 p-2 font-mono text-xs" data-testid="job-errors">
          {errors.map((e) => (
            <li key={e.id}>
              <span className="text-slate-500">{e.itemKey}</span> {e.message}
            </li>
          ))}
          {job.errorCount > errors.length ? <li className="text-slate-500">… and {n(job.errorCount - errors.length)} more</li> : null}
        </ul>
      ) : problem ? null : (
        <p className="text-slate-500">Loading…</p>
      )}
    </details>
  );
}
