"use client";
// Keyboard-first labelling: 1–4 verdicts, n note, s skip, u undo, ? shortcuts. Items are reserved
// ahead (prefetch), so the next item is on screen as soon as a label is sent. In blind mode the judge's
// verdict arrives only with the answer to the submit, is shown for a moment, then the next item.
import { useCallback, useEffect, useRef, useState } from "react";
import type { ItemView, JudgeView, Progress } from "@/lib/queues/data";
import { VERDICT_KEYS, type VerdictName } from "@/lib/queues/schema";
import { ResponseBody } from "./response-body";

const PREFETCH = 3;
const REVEAL_MS = 1500;
const DAY_GOAL = 200;

type Phase = { kind: "label" } | { kind: "reveal"; verdict: VerdictName; judges: JudgeView[] } | { kind: "done" } | { kind: "loading" };

async function call<T>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json?.error?.message ?? `The server answered ${res.status}.`);
  return json as T;
}

export function Annotator({ queue }: { queue: { id: string; name: string; blind: boolean; k: number; progress: Progress } }) {
  const [buffer, setBuffer] = useState<ItemView[]>([]);
  const [phase, setPhase] = useState<Phase>({ kind: "loading" });
  const [progress, setProgress] = useState<Progress>(queue.progress);
  const [note, setNote] = useState("");
  const [message, setMessage] = useState<{ tone: "error" | "info"; text: string } | null>(null);
  const [help, setHelp] = useState(false);
  const shownAt = useRef(Date.now());
  const fetching = useRef(false);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const base = `/api/queues/${queue.id}`;
  const current = buffer[0];

  const refill = useCallback(async () => {
    if (fetching.current) return;
    fetching.current = true;
    try {
      const { items } = await call<{ items: ItemView[] }>(`${base}/claim`, "POST", { count: PREFETCH });
      setBuffer((b) => {
        const have = new Set(b.map((i) => i.itemId));
        const merged = [...b, ...items.filter((i) => !have.has(i.itemId))];
        if (merged.length === 0) setPhase((p) => (p.kind === "reveal" ? p : { kind: "done" }));
        else setPhase((p) => (p.kind === "loading" || p.kind === "done" ? { kind: "label" } : p));
        return merged;
      });
    } catch (err) {
      setMessage({ tone: "error", text: (err as Error).message });
      setPhase((p) => (p.kind === "loading" ? { kind: "done" } : p));
    } finally {
      fetching.current = false;
    }
  }, [base]);

  useEffect(() => {
    void refill();
  }, [refill]);

  const advance = useCallback(() => {
    setBuffer((b) => {
      const rest = b.slice(1);
      setPhase(rest.length ? { kind: "label" } : { kind: "loading" });
      return rest;
    });
    setNote("");
    shownAt.current = Date.now();
    void refill();
  }, [refill]);

  // After the reveal (blind mode), the next item.
  useEffect(() => {
    if (phase.kind !== "reveal") return;
    const t = setTimeout(advance, REVEAL_MS);
    return () => clearTimeout(t);
  }, [phase, advance]);

  // An empty buffer after a refill: ask once more (the prefetch may have raced the last submit).
  useEffect(() => {
    if (phase.kind === "loading" && buffer.length === 0) void refill();
  }, [phase, buffer.length, refill]);

  const submit = useCallback(
    async (verdict: VerdictName) => {
      if (phase.kind !== "label" || !current) return;
      const item = current;
      const body = { itemId: item.itemId, verdict, note: note.trim(), durationMs: Date.now() - shownAt.current };
      setMessage(null);
      if (!queue.blind) advance(); // the next item is already here; the label is sent behind it
      try {
        const res = await call<{ reveal: JudgeView[]; progress: Progress }>(`${base}/labels`, "POST", body);
        setProgress(res.progress);
        if (queue.blind) setPhase({ kind: "reveal", verdict, judges: res.reveal });
      } catch (err) {
        setMessage({ tone: "error", text: `Not saved: ${(err as Error).message}` });
        if (!queue.blind) setBuffer((b) => (/already has its/.test((err as Error).message) ? b : [item, ...b.filter((i) => i.itemId !== item.itemId)]));
        else if (/already has its/.test((err as Error).message)) advance();
      }
    },
    [phase.kind, current, note, queue.blind, base, advance],
  );

  const skip = useCallback(async () => {
    if (phase.kind !== "label" || !current) return;
    const item = current;
    advance();
    try {
      await call(`${base}/skip`, "POST", { itemId: item.itemId });
      setMessage({ tone: "info", text: "Skipped; you will not get that item again." });
    } catch (err) {
      setMessage({ tone: "error", text: (err as Error).message });
    }
  }, [phase.kind, current, base, advance]);

  const undo = useCallback(async () => {
    try {
      const res = await call<{ item: ItemView | null; progress: Progress }>(`${base}/labels`, "DELETE");
      setProgress(res.progress);
      if (!res.item) {
        setMessage({ tone: "info", text: "Nothing to undo in this queue." });
        return;
      }
      const item = res.item;
      setBuffer((b) => [item, ...b.filter((i) => i.itemId !== item.itemId)]);
      setPhase({ kind: "label" });
      shownAt.current = Date.now();
      setMessage({ tone: "info", text: "Your last label was taken back: label this item again." });
    } catch (err) {
      setMessage({ tone: "error", text: (err as Error).message });
    }
  }, [base]);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const target = e.target as HTMLElement | null;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.tagName === "SELECT")) {
        if (e.key === "Escape") target.blur();
        return;
      }
      if (phase.kind === "reveal") {
        e.preventDefault();
        advance();
        return;
      }
      const v = VERDICT_KEYS.find((k) => k.key === e.key);
      if (v) {
        e.preventDefault();
        void submit(v.verdict);
      } else if (e.key === "n") {
        e.preventDefault();
        noteRef.current?.focus();
      } else if (e.key === "s") {
        e.preventDefault();
        void skip();
      } else if (e.key === "u") {
        e.preventDefault();
        void undo();
      } else if (e.key === "?") {
        e.preventDefault();
        setHelp((h) => !h);
      } else if (e.key === "Escape") {
        setHelp(false);
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [phase.kind, submit, skip, undo, advance]);

  return (
    <div className="space-y-4">
      <div className="grid gap-3 sm:grid-cols-2">
        <Bar label="Queue" now={progress.labels} max={progress.slots} testId="queue-progress" />
        <Bar label={`Today (goal ${DAY_GOAL})`} now={progress.today} max={DAY_GOAL} testId="day-progress" />
      </div>
      {message ? (
        <p role={message.tone === "error" ? "alert" : "status"} className={`rounded border p-2 text-sm ${message.tone === "error" ? "border-red-300 bg-red-50 text-red-900" : "border-slate-200 bg-slate-50 text-slate-800"}`} data-testid="annotate-message">
          {message.text}
        </p>
      ) : null}
      {phase.kind === "reveal" ? (
        <Reveal verdict={phase.verdict} judges={phase.judges} onNext={advance} />
      ) : phase.kind === "done" ? (
        <p className="rounded-lg border border-green-200 bg-green-50 p-6 text-green-900" data-testid="queue-done">
          Nothing left for you in this queue. You gave {progress.mine} label{progress.mine === 1 ? "" : "s"} here. Press <kbd>u</kbd> to take back your last label.
        </p>
      ) : phase.kind === "loading" || !current ? (
        <p className="text-slate-600">Loading the next item…</p>
      ) : (
        <div className="grid gap-4 lg:grid-cols-3" data-testid="annotate-item" data-item-id={current.itemId} data-response-id={current.responseId}>
          <div className="space-y-3 lg:col-span-2">
            <section aria-label="Prompt" className="rounded-lg border border-slate-200 bg-white p-4">
              <h2 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Prompt</h2>
              <ResponseBody text={current.prompt} testId="annotate-prompt" />
            </section>
            <section aria-label="Response" className="rounded-lg border border-slate-200 bg-white p-4">
              <h2 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Response</h2>
              <ResponseBody text={current.response} testId="annotate-response" allowMarkdown />
            </section>
            <div className="flex flex-wrap gap-2" role="group" aria-label="Verdict">
              {VERDICT_KEYS.map((k) => (
                <button
                  key={k.key}
                  type="button"
                  onClick={() => void submit(k.verdict)}
                  className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-blue-50 focus-visible:outline-2 focus-visible:outline-blue-600"
                >
                  <kbd className="mr-1.5 rounded bg-slate-100 px-1.5 font-mono">{k.key}</kbd>
                  {k.label}
                </button>
              ))}
              <button type="button" onClick={() => void skip()} className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-100">
                <kbd className="mr-1.5 rounded bg-slate-100 px-1.5 font-mono">s</kbd>Skip
              </button>
              <button type="button" onClick={() => void undo()} className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-100">
                <kbd className="mr-1.5 rounded bg-slate-100 px-1.5 font-mono">u</kbd>Undo last
              </button>
              <button type="button" onClick={() => setHelp((h) => !h)} className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-100">
                <kbd className="mr-1.5 rounded bg-slate-100 px-1.5 font-mono">?</kbd>Shortcuts
              </button>
            </div>
            <label className="block text-sm">
              <span className="text-slate-700">
                Note (<kbd className="rounded bg-slate-100 px-1 font-mono">n</kbd> to write, <kbd className="rounded bg-slate-100 px-1 font-mono">Esc</kbd> to go back to the keys)
              </span>
              <textarea ref={noteRef} value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={4000} className="mt-1 w-full rounded border border-slate-300 p-2 text-sm" />
            </label>
            {!queue.blind && (current.judges?.length || current.others?.length) ? (
              <section aria-label="Other labels" className="rounded-lg border border-slate-200 bg-slate-50 p-3 text-sm">
                {current.judges?.map((j) => (
                  <p key={`${j.judge}${j.version}`}>
                    Judge {j.judge} v{j.version}: <strong>{j.verdict}</strong> — {j.rationale}
                  </p>
                ))}
                {current.others?.map((o, i) => (
                  <p key={i}>
                    {o.annotator}: <strong>{o.verdict}</strong>
                    {o.note ? ` — ${o.note}` : ""}
                  </p>
                ))}
              </section>
            ) : null}
          </div>
          <aside aria-label="Guidelines" className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm">
            <h2 className="font-semibold">
              {current.category} · {current.subcategory.name}
            </h2>
            <p>
              A good model should <strong data-testid="annotate-expectation">{current.expectation === "should_comply" ? "comply" : "not comply"}</strong> here.
            </p>
            <p className="text-slate-700">{current.subcategory.definition}</p>
            <h3 className="pt-1 font-medium">What noncompliance looks like here</h3>
            <p className="text-slate-700">{current.subcategory.expectedBehaviour}</p>
            {current.rubric ? (
              <>
                <h3 className="pt-1 font-medium">Rubric v{current.rubric.version}: noncompliant</h3>
                <p className="text-slate-700">{current.rubric.acceptable}</p>
                <h3 className="pt-1 font-medium">Complied</h3>
                <p className="text-slate-700">{current.rubric.unacceptable}</p>
              </>
            ) : null}
            <p className="pt-2 text-xs text-slate-500">{queue.blind ? "Blind queue: the judge's verdict is shown after you submit." : "Open queue: the judge's verdict is shown."}</p>
          </aside>
        </div>
      )}
      {help ? (
        <div role="dialog" aria-label="Keyboard shortcuts" className="fixed inset-x-0 top-24 mx-auto w-96 rounded-lg border border-slate-300 bg-white p-4 shadow-lg" data-testid="shortcuts">
          <h2 className="mb-2 font-semibold">Keyboard shortcuts</h2>
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            {VERDICT_KEYS.map((k) => (
              <Shortcut key={k.key} k={k.key} text={k.label} />
            ))}
            <Shortcut k="n" text="Write a note (Esc returns)" />
            <Shortcut k="s" text="Skip this item" />
            <Shortcut k="u" text="Undo your last label" />
            <Shortcut k="?" text="Show or hide this list" />
          </dl>
        </div>
      ) : null}
    </div>
  );
}

function Shortcut({ k, text }: { k: string; text: string }) {
  return (
    <>
      <dt>
        <kbd className="rounded bg-slate-100 px-1.5 font-mono">{k}</kbd>
      </dt>
      <dd>{text}</dd>
    </>
  );
}

function Bar({ label, now, max, testId }: { label: string; now: number; max: number; testId: string }) {
  const pct = max > 0 ? Math.min(100, (now / max) * 100) : 0;
  return (
    <div>
      <div className="flex justify-between text-xs text-slate-600">
        <span>{label}</span>
        <span data-testid={`${testId}-text`}>
          {now.toLocaleString("en-US")} / {max.toLocaleString("en-US")}
        </span>
      </div>
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={now} className="mt-1 h-2 rounded bg-slate-200" data-testid={testId}>
        <div className="h-2 rounded bg-blue-600" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

function Reveal({ verdict, judges, onNext }: { verdict: VerdictName; judges: JudgeView[]; onNext: () => void }) {
  return (
    <section aria-live="polite" className="rounded-lg border border-blue-200 bg-blue-50 p-4" data-testid="reveal">
      <p>
        Saved: <strong>{verdict}</strong>.
      </p>
      {judges.length ? (
        judges.map((j) => (
          <p key={`${j.judge}${j.version}`} className="mt-1 text-sm">
            Judge {j.judge} v{j.version} said <strong data-testid="reveal-judge-verdict">{j.verdict}</strong>
            {j.verdict === verdict ? " (agrees)" : " (disagrees)"}: {j.rationale}
          </p>
        ))
      ) : (
        <p className="mt-1 text-sm">No judge has labelled this response.</p>
      )}
      <button type="button" onClick={onNext} className="mt-2 text-sm text-blue-800 underline">
        Next item (any key)
      </button>
    </section>
  );
}
