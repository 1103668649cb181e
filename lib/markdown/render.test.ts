// The rendered HTML of components/markdown/markdown.tsx for hostile input: what a browser would receive.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ResponseText, SafeMarkdown } from "../../components/markdown/markdown";

const html = (text: string) => renderToStaticMarkup(createElement(SafeMarkdown, { text }));

/** Every tag name and every attribute name in the markup. */
function inventory(markup: string) {
  const tags = new Set<string>();
  const attrs = new Set<string>();
  for (const m of markup.matchAll(/<([a-z0-9]+)((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    tags.add(m[1]);
    for (const a of m[2].matchAll(/\s([a-zA-Z-]+)(?:="[^"]*")?/g)) attrs.add(a[1].toLowerCase());
  }
  return { tags, attrs };
}

const HOSTILE = [
  "<script>alert(1)</script>",
  '<img src=x onerror="alert(1)">',
  '<a href="javascript:alert(1)">click</a>',
  "[click](javascript:alert(1))",
  "[click](JAVASCRIPT:alert(1)) [x](data:text/html,<script>alert(1)</script>)",
  "![pixel](https://tracker.example/p.gif)",
  '<svg onload="alert(1)"><iframe src="https://evil.example"></iframe>',
  "``` onmouseover=alert(1)\ncode\n```",
  "# <b onclick=alert(1)>title</b>",
  "> <style>body{display:none}</style>",
].join("\n\n");

describe("SafeMarkdown", () => {
  it("renders only its own elements and attributes, whatever the text holds", () => {
    const out = html(HOSTILE);
    const { tags, attrs } = inventory(out);
    for (const t of tags) expect(["div", "p", "a", "pre", "code", "blockquote", "br", "em", "strong", "ul", "ol", "li", "hr"], t).toContain(t);
    for (const a of attrs) expect(["class", "href", "rel", "target", "title", "role", "aria-level", "data-lang", "start", "referrerpolicy"], a).toContain(a);
    expect(out).not.toMatch(/<(script|img|svg|iframe|style)/i);
    expect(out).not.toMatch(/href="(?!https?:|mailto:)/);
    // The HTML is there, as text.
    expect(out).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(out).toContain("[click](javascript:alert(1))");
  });

  it("gives every link a safe target and rel, and shows images as links", () => {
    const out = html("[docs](https://example.org/d) and ![a cat](https://img.example/cat.png)");
    const links = [...out.matchAll(/<a ([^>]*)>(.*?)<\/a>/g)];
    expect(links).toHaveLength(2);
    for (const [, a] of links) {
      expect(a).toContain('rel="noopener noreferrer nofollow"');
      expect(a).toContain('target="_blank"');
    }
    expect(links[1][2]).toBe("[image: a cat]");
    expect(out).not.toContain("<img");
  });

  it("renders the Markdown it supports", () => {
    const out = html("## Steps\n\n1. **Mix** the `flour`\n2. *Bake*\n\n- a\n- b\n\n---\n\n> note");
    expect(out).toContain('role="heading" aria-level="4"');
    expect(out).toContain('<ol start="1"');
    expect(out).toContain("<strong>Mix</strong>");
    expect(out).toContain("<code");
    expect(out).toContain("<em>Bake</em>");
    expect(out).toContain("<ul");
    expect(out).toContain("<hr");
    expect(out).toContain("<blockquote");
  });
});

describe("ResponseText", () => {
  it("shows text as text, bidirectional overrides made visible, or as Markdown", () => {
    const text = "**not bold** <b>x</b> \u202Egnp.exe";
    const plain = renderToStaticMarkup(createElement(ResponseText, { text, mode: "text", testId: "r" }));
    expect(plain).toContain("**not bold** &lt;b&gt;x&lt;/b&gt; ⟦U+202E⟧gnp.exe");
    expect(plain).toContain('data-testid="r"');
    const md = renderToStaticMarkup(createElement(ResponseText, { text, mode: "markdown" }));
    expect(md).toContain("<strong>not bold</strong>");
    expect(md).not.toContain("\u202E");
  });
});
