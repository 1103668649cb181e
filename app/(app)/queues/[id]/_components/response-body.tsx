"use client";
// Untrusted text (prompts, model responses): plain text by default, or sanitised Markdown on request
// (components/markdown: React elements only, never HTML). Long texts scroll inside their box.
import { useState } from "react";
import { ResponseText } from "@/components/markdown/markdown";

export function ResponseBody({ text, testId, allowMarkdown = false }: { text: string; testId?: string; allowMarkdown?: boolean }) {
  const [mode, setMode] = useState<"text" | "markdown">("text");
  return (
    <div>
      {allowMarkdown ? (
        <div className="mb-1 flex justify-end gap-1 text-xs" role="group" aria-label="Show as">
          {(["text", "markdown"] as const).map((m) => (
            <button
              key={m}
              type="button"
              aria-pressed={mode === m}
              onClick={() => setMode(m)}
              className={`rounded px-1.5 py-0.5 ${mode === m ? "bg-slate-200 font-medium" : "text-slate-600 hover:bg-slate-100"}`}
            >
              {m === "text" ? "Text" : "Markdown"}
            </button>
          ))}
        </div>
      ) : null}
      <div className="max-h-[28rem] overflow-auto [overflow-wrap:anywhere]" dir="auto">
        {text ? <ResponseText text={text} mode={mode} testId={testId} /> : <span className="text-sm text-slate-400">(empty)</span>}
      </div>
    </div>
  );
}
