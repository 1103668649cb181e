import { describe, expect, it } from "vitest";
import { inlineText, MAX_BLOCK_DEPTH, MAX_INLINE_DEPTH, parseInline, parseMarkdown, safeHref, showBidiControls, type Block, type Inline } from "./parse";

const text = (v: string): Inline => ({ t: "text", v });

describe("blocks", () => {
  it("reads paragraphs, headings, rules, quotes and code blocks", () => {
    const md = "# Title #\n\nFirst line\nsecond line\n\n---\n\n> quoted\n> more\n\n```js\nif (a < b) {}\n```\n\n    indented\n    code\n\n###### six\n####### seven";
    expect(parseMarkdown(md)).toEqual<Block[]>([
      { t: "h", level: 1, c: [text("Title")] },
      { t: "p", c: [text("First line"), { t: "br" }, text("second line")] },
      { t: "hr" },
      { t: "quote", c: [{ t: "p", c: [text("quoted"), { t: "br" }, text("more")] }] },
      { t: "code", lang: "js", v: "if (a < b) {}" },
      { t: "code", lang: "", v: "indented\ncode" },
      { t: "h", level: 6, c: [text("six")] },
      { t: "p", c: [text("####### seven")] },
    ]);
  });

  it("reads bullet and ordered lists, nested, with their start number", () => {
    const md = "- one\n- two\n  - two.a\n  - two.b\n- three\n\n3. c\n4. d\n\nAfter";
    expect(parseMarkdown(md)).toEqual<Block[]>([
      {
        t: "list",
        ordered: false,
        start: 1,
        items: [
          [{ t: "p", c: [text("one")] }],
          [{ t: "p", c: [text("two")] }, { t: "list", ordered: false, start: 1, items: [[{ t: "p", c: [text("two.a")] }], [{ t: "p", c: [text("two.b")] }]] }],
          [{ t: "p", c: [text("three")] }],
        ],
      },
      { t: "list", ordered: true, start: 3, items: [[{ t: "p", c: [text("c")] }], [{ t: "p", c: [text("d")] }]] },
      { t: "p", c: [text("After")] },
    ]);
  });

  it("keeps an unclosed fence open to the end and prose that only looks like a list", () => {
    expect(parseMarkdown("```\nno end\n# not a heading")).toEqual([{ t: "code", lang: "", v: "no end\n# not a heading" }]);
    expect(parseMarkdown("The year was\n1984. Then")).toEqual([{ t: "p", c: [text("The year was"), { t: "br" }, text("1984. Then")] }]);
  });
});

describe("inlines", () => {
  it("reads emphasis, strong, code spans and escapes", () => {
    expect(parseInline("a *b* __c__ `d *e*` \\*f\\* **g *h* i**")).toEqual<Inline[]>([
      text("a "),
      { t: "em", c: [text("b")] },
      text(" "),
      { t: "strong", c: [text("c")] },
      text(" "),
      { t: "code", v: "d *e*" },
      text(" *f* "),
      { t: "strong", c: [text("g "), { t: "em", c: [text("h")] }, text(" i")] },
    ]);
    // snake_case and 2 * 3 * 4 are not emphasis.
    expect(parseInline("snake_case_name and 2 * 3 * 4")).toEqual([text("snake_case_name and 2 * 3 * 4")]);
    expect(parseInline("***both***")).toEqual([{ t: "em", c: [{ t: "strong", c: [text("both")] }] }]);
    expect(parseInline("`` a ` b ``")).toEqual([{ t: "code", v: "a ` b" }]);
  });

  it("keeps http, https and mailto links, normalised", () => {
    expect(parseInline("see [the *docs*](https://example.org/a b) or [mail](mailto:x@y.org) <http://example.org/x?q=1>")).toEqual<Inline[]>([
      // A destination with a space is not a link: the brackets stay text, the emphasis inside still counts.
      text("see [the "),
      { t: "em", c: [text("docs")] },
      text("](https://example.org/a b) or "),
      { t: "link", href: "mailto:x@y.org", c: [text("mail")] },
      text(" "),
      { t: "link", href: "http://example.org/x?q=1", c: [text("http://example.org/x?q=1")] },
    ]);
    expect(parseInline("[a](<https://Example.ORG/p q>)")).toEqual([text("[a](<https://Example.ORG/p q>)")]);
    expect(parseInline('[a](HTTPS://Example.ORG/x "title")')).toEqual([{ t: "link", href: "https://example.org/x", c: [text("a")] }]);
  });

  it("shows an image as a link to its source, never as an image to load", () => {
    expect(parseInline("![a cat](https://img.example/cat.png)")).toEqual([{ t: "image", href: "https://img.example/cat.png", alt: "a cat" }]);
    expect(parseInline("![x](javascript:alert(1))")).toEqual([text("![x](javascript:alert(1))")]);
  });
});

describe("hostile input", () => {
  it("never turns HTML into anything but text", () => {
    const html = `<script>alert(1)</script><img src=x onerror="alert(1)"><a href="javascript:alert(1)">x</a>`;
    const out = parseMarkdown(html);
    expect(out).toEqual([{ t: "p", c: [text(html)] }]);
  });

  it("shows links with other schemes, or tricks around them, as their source text", () => {
    const bad = [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      " javascript:alert(1)",
      "java\tscript:alert(1)",
      "java&#115;cript:alert(1)",
      "vbscript:msgbox(1)",
      "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
      "file:///etc/passwd",
      "//evil.example/x",
      "/relative/path",
      "http://\u202Eexample.org",
    ];
    for (const url of bad) {
      expect(safeHref(url), url).toBeNull();
      const nodes = parseInline(`[click](${url})`);
      expect(nodes.every((n) => n.t === "text"), url).toBe(true);
    }
    expect(parseInline("<javascript:alert(1)>")).toEqual([text("<javascript:alert(1)>")]);
    expect(safeHref("https://example.org/ok")).toBe("https://example.org/ok");
    expect(safeHref("https:example.org")).toBe("https://example.org/"); // what the browser would open, checked
  });

  it("makes bidirectional override characters visible, in text, code and links", () => {
    const rlo = "\u202E";
    expect(showBidiControls(`abc${rlo}fdp.exe`)).toBe("abc⟦U+202E⟧fdp.exe");
    const all = JSON.stringify(parseMarkdown(`a${rlo}b \`c${rlo}\`\n\n\`\`\`\n${rlo}\u2066x\u2069\n\`\`\`\n\n[t${rlo}](https://example.org)`));
    expect(all).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/);
    expect(all).toContain("⟦U+202E⟧");
    expect(all).toContain("⟦U+2066⟧");
  });

  it("parses a huge unbroken string and long runs of spaces whole", () => {
    const long = "x".repeat(1_000_000);
    expect(parseMarkdown(long)).toEqual([{ t: "p", c: [text(long)] }]);
    const spaces = `a${" ".repeat(200_000)}b`;
    expect(parseMarkdown(spaces)).toEqual([{ t: "p", c: [text(spaces)] }]);
  });

  it("reads unmatched openers of every kind as text, without rescanning the rest each time", () => {
    for (const ch of ["[", "<", "`", "*", "_", "![", "[a](", "\\"]) {
      const s = `${ch}a `.repeat(50_000);
      const out = parseMarkdown(s);
      expect(out, ch).toHaveLength(1);
      const strip = (x: string) => x.replace(/[\[\]<`*_!()\\\s]/g, "");
      expect(strip(inlineText((out[0] as { c: Inline[] }).c)), ch).toBe(strip(s));
    }
  });

  it("flattens deep nesting instead of following it", () => {
    let b = parseMarkdown(">".repeat(5_000) + " x");
    let depth = 0;
    while (b[0]?.t === "quote") {
      b = (b[0] as { c: Block[] }).c;
      depth++;
    }
    expect(depth).toBe(MAX_BLOCK_DEPTH);
    const deepEm = "*a ".repeat(500) + "b" + " a*".repeat(500);
    let n = parseInline(deepEm);
    let level = 0;
    for (;;) {
      const inner = n.find((x) => x.t === "em" || x.t === "strong");
      if (!inner || !("c" in inner)) break;
      n = inner.c;
      level++;
    }
    expect(level).toBe(MAX_INLINE_DEPTH);
    expect(inlineText(parseInline(deepEm)).replace(/[* ]/g, "")).toBe("a".repeat(500) + "b" + "a".repeat(500));
    // Beyond MAX_DELIMS runs in one paragraph, * and _ stay text.
    const many = "*a* ".repeat(3_000);
    expect(parseInline(many)).toEqual([text(many.trimEnd() + " ")]);
    const deepList = Array.from({ length: 2_000 }, (_, i) => `${"  ".repeat(i)}- x`).join("\n");
    expect(parseMarkdown(deepList)).toHaveLength(1);
  });
});
