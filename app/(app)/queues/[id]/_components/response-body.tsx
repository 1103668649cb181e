"use client";
// Untrusted text (prompts, model responses) shown as text: React escapes it, nothing is ever run as HTML.
export function ResponseBody({ text, testId }: { text: string; testId?: string; allowMarkdown?: boolean }) {
  return (
    <div className="max-h-[28rem] overflow-auto whitespace-pre-wrap break-words text-sm [overflow-wrap:anywhere]" data-testid={testId} dir="auto">
      {text || <span className="text-slate-400">(empty)</span>}
    </div>
  );
}
