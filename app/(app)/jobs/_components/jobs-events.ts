// The forms tell the job list that a job was queued, so it refreshes at once and starts polling.
export const JOB_CREATED_EVENT = "abstain:job-created";

export function announceJobCreated(id: string): void {
  window.dispatchEvent(new CustomEvent(JOB_CREATED_EVENT, { detail: { id } }));
}

/** POST /api/jobs; the server's message on failure. */
export async function postJob(body: unknown): Promise<{ id: string }> {
  const res = await fetch("/api/jobs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(json?.error?.message ?? `The server answered ${res.status}.`);
  announceJobCreated(json.id);
  return json;
}
