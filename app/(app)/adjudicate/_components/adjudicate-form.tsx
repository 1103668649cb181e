"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { JUDGE_ERROR_REASONS, VERDICT_KEYS, type VerdictName } from "@/lib/queues/schema";
import { Button } from "@/components/ui/button";

type Reason = (typeof JUDGE_ERROR_REASONS)[number]["value"];

export function AdjudicateForm(props: {
  responseId: string;
  current: { verdict: VerdictName; reason: Reason; note: string; version: number } | null;
  judgeVerdict: VerdictName | null;
  nextHref: string;
}) {
  const router = useRouter();
  const [verdict, setVerdict] = useState<VerdictName | null>(props.current?.verdict ?? null);
  const [reason, setReason] = useState<Reason>(props.current?.reason ?? "none");
  const [note, setNote] = useState(props.current?.note ?? "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // 1–4 pick the verdict (outside text fields).
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const tag = (e.target as HTMLElement | null)?.tagName;
      if (e.ctrlKey || e.metaKey || e.altKey || tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT") return;
      const k = VERDICT_KEYS.find((v) => v.key === e.key);
      if (k) setVerdict(k.verdict);
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!verdict) return setError("Choose a verdict first (keys 1–4).");
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/adjudications", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ responseId: props.responseId, verdict, reason, note, expectedVersion: props.current?.version ?? null }),
      });
      const json = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(json?.error?.message ?? `The server answered ${res.status}.`);
      router.push(props.nextHref);
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3 text-sm" aria-label="Final verdict">
      <fieldset>
        <legend className="font-medium">Verdict</legend>
        <div className="mt-1 flex flex-wrap gap-3">
          {VERDICT_KEYS.map((k) => (
            <label key={k.key} className="flex items-center gap-1">
              <input type="radio" name="verdict" value={k.verdict} checked={verdict === k.verdict} onChange={() => setVerdict(k.verdict)} />
              <kbd className="rounded bg-slate-100 px-1 font-mono">{k.key}</kbd> {k.label}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="block">
        Why was the judge {props.judgeVerdict && verdict && props.judgeVerdict !== verdict ? <strong>wrong</strong> : "wrong (if it was)"}?
        <select value={reason} onChange={(e) => setReason(e.target.value as Reason)} className="ml-2 rounded border border-slate-300 px-2 py-1" name="reason">
          {JUDGE_ERROR_REASONS.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      <label className="block">
        Note
        <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={4000} className="mt-1 w-full rounded border border-slate-300 p-2" name="note" />
      </label>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={busy}>
          {busy ? "Saving…" : props.current ? `Save (revises version ${props.current.version})` : "Save final verdict"}
        </Button>
        {error ? (
          <p role="alert" className="text-red-800" data-testid="adjudicate-error">
            {error}
          </p>
        ) : null}
      </div>
    </form>
  );
}
