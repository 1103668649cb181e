// Untrusted text (model responses, prompts) as plain text or as sanitised Markdown. Markdown is parsed by
// lib/markdown/parse.ts into a tree and rendered here as React elements only: no dangerouslySetInnerHTML, so
// the text can never become HTML (React escapes every string). Links open http(s) and mailto targets only,
// in a new tab, without referrer or opener; images are links to their source, never loaded.
import type { ReactNode } from "react";
import { parseMarkdown, showBidiControls, type Block, type Inline } from "@/lib/markdown/parse";

const LINK = "text-blue-700 underline decoration-blue-300 hover:decoration-blue-700";
const REL = "noopener noreferrer nofollow";

function inlines(nodes: Inline[]): ReactNode[] {
  return nodes.map((n, i) => {
    switch (n.t) {
      case "text":
        return n.v;
      case "br":
        return <br key={i} />;
      case "code":
        return (
          <code key={i} className="rounded bg-slate-100 px-1 font-mono text-[0.9em]">
            {n.v}
          </code>
        );
      case "em":
        return <em key={i}>{inlines(n.c)}</em>;
      case "strong":
        return <strong key={i}>{inlines(n.c)}</strong>;
      case "link":
        return (
          <a key={i} href={n.href} rel={REL} target="_blank" referrerPolicy="no-referrer" className={LINK} title={n.href}>
            {inlines(n.c)}
          </a>
        );
      case "image":
        // A link to the image, never an <img>: viewing a response must not fetch anything it names.
        return (
          <a key={i} href={n.href} rel={REL} target="_blank" referrerPolicy="no-referrer" className={LINK} title={n.href}>
            [image{n.alt ? `: ${n.alt}` : ""}]
          </a>
        );
    }
  });
}

const HEADING = ["text-xl", "text-lg", "text-base", "text-sm", "text-sm", "text-sm"];

function blocks(nodes: Block[]): ReactNode[] {
  return nodes.map((b, i) => {
    switch (b.t) {
      case "p":
        return <p key={i}>{inlines(b.c)}</p>;
      case "h": {
        // Headings inside a response are not the page's outline: styled, but not h1–h6 elements.
        return (
          <p key={i} role="heading" aria-level={Math.min(6, b.level + 2)} className={`font-semibold ${HEADING[b.level - 1]}`}>
            {inlines(b.c)}
          </p>
        );
      }
      case "code":
        return (
          <pre key={i} className="overflow-x-auto rounded bg-slate-100 p-2 font-mono text-xs" data-lang={b.lang || undefined}>
            <code>{b.v}</code>
          </pre>
        );
      case "list": {
        const items = b.items.map((item, k) => <li key={k}>{blocks(item)}</li>);
        return b.ordered ? (
          <ol key={i} start={b.start} className="list-decimal space-y-1 pl-6">
            {items}
          </ol>
        ) : (
          <ul key={i} className="list-disc space-y-1 pl-6">
            {items}
          </ul>
        );
      }
      case "quote":
        return (
          <blockquote key={i} className="space-y-2 border-l-4 border-slate-300 pl-3 text-slate-700">
            {blocks(b.c)}
          </blockquote>
        );
      case "hr":
        return <hr key={i} className="border-slate-300" />;
    }
  });
}

/** Markdown, sanitised: see lib/markdown/parse.ts for what is supported and how unsafe input is shown. */
export function SafeMarkdown({ text, className = "", testId }: { text: string; className?: string; testId?: string }) {
  return (
    <div className={`space-y-2 [overflow-wrap:anywhere] ${className}`} data-testid={testId}>
      {blocks(parseMarkdown(text))}
    </div>
  );
}

/**
 * A prompt or response as plain text (line breaks kept, bidirectional controls shown as ⟦U+202E⟧ markers) or
 * as sanitised Markdown.
 */
export function ResponseText({ text, mode, className = "", testId }: { text: string; mode: "text" | "markdown"; className?: string; testId?: string }) {
  if (mode === "markdown") return <SafeMarkdown text={text} className={`text-sm ${className}`} testId={testId} />;
  return (
    <p className={`prose-text text-sm ${className}`} data-testid={testId}>
      {showBidiControls(text)}
    </p>
  );
}
