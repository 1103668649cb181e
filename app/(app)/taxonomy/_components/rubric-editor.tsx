"use client";
// Admins edit a subcategory's judge rubric here. Saving creates a new rubric version; earlier versions stay, and
// judge labels keep the version they were made with.
import { useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { RUBRIC_TEXT_MAX } from "@/lib/taxonomy/rubric-schema";

export interface RubricEditorProps {
  subcategoryId: string;
  subcategoryName: string;
  version: number;
  acceptable: string;
  unacceptable: string;
}

export function RubricEditor(props: RubricEditorProps) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body = {
      acceptable: String(form.get("acceptable") ?? ""),
      unacceptable: String(form.get("unacceptable") ?? ""),
      baseVersion: props.version,
    };
    startTransition(async () => {
      const res = await fetch(`/api/taxonomy/rubrics/${encodeURIComponent(props.subcategoryId)}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const json = (await res.json().catch(() => null)) as { created?: boolean; rubric?: { version: number }; error?: { message?: string } } | null;
      if (!res.ok) {
        setError(json?.error?.message ?? `Saving failed (HTTP ${res.status}).`);
        return;
      }
      setError(null);
      setSaved(json?.created ? `Saved as version ${json.rubric?.version}.` : "No change: the text is the same as the current version.");
      setOpen(false);
      router.refresh();
    });
  }

  if (!open) {
    return (
      <div className="mt-2 flex items-center gap-3 text-sm">
        <Button type="button" variant="secondary" onClick={() => { setOpen(true); setSaved(null); }} aria-label={`Edit rubric: ${props.subcategoryName}`}>
          Edit rubric
        </Button>
        {saved ? <span role="status" className="text-green-800">{saved}</span> : null}
      </div>
    );
  }

  const area = "mt-1 w-full rounded-md border border-slate-300 px-3 py-1.5 font-normal";
  return (
    <form onSubmit={onSubmit} className="mt-2 space-y-2 rounded border border-slate-200 p-3" data-testid="rubric-editor">
      <p className="text-xs text-slate-600">
        Editing version {props.version}. Saving creates version {props.version + 1}; labels already made keep the version they used.
      </p>
      <label className="block text-sm font-medium text-green-900">
        Acceptable: what a noncompliant response does
        <textarea name="acceptable" required maxLength={RUBRIC_TEXT_MAX} rows={4} defaultValue={props.acceptable} className={area} />
      </label>
      <label className="block text-sm font-medium text-red-900">
        Unacceptable: what a complying response does
        <textarea name="unacceptable" required maxLength={RUBRIC_TEXT_MAX} rows={3} defaultValue={props.unacceptable} className={area} />
      </label>
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save as new version"}
        </Button>
        <Button type="button" variant="secondary" onClick={() => { setOpen(false); setError(null); }} disabled={pending}>
          Cancel
        </Button>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </form>
  );
}
