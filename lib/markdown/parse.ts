// A small Markdown parser for untrusted text (model responses, prompts). Pure: text in, a tree of plain
// objects out; components/markdown/markdown.tsx turns the tree into React elements. Nothing here produces
// HTML, so nothing the text contains can run:
// - raw HTML (<script>, <img onerror=…>) is not a Markdown construct here: it stays text, and React escapes it;
// - a link keeps its target only if the WHATWG URL parser reads it as http:, https: or mailto: (and the
//   normalised href is what is kept, so what was checked is what the browser follows); any other link or
//   image is shown as its Markdown source text;
// - an image is never loaded: it becomes a link to its source (a tracking pixel cannot fire by viewing);
// - Unicode bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), which can make
//   text read differently from what it is, are replaced by a visible ⟦U+202E⟧ marker.
// Supported: paragraphs (a line break is a line break, as in chat), ATX headings, emphasis and strong
// (* and _), code spans, fenced and indented code blocks, bullet and ordered lists (nested), block quotes,
// thematic breaks, links, autolinks <https://…>, images, backslash escapes. Not supported (shown as text):
// HTML, entities, tables, reference-style links, setext headings.
//
// Cost is linear in the input (no regular expression that can backtrack over a long line; bracket and
// backtick matching are precomputed), and nesting is bounded, so hostile input cannot hang the page or
// overflow the stack while rendering.

export type Inline =
  | { t: "text"; v: string }
  | { t: "code"; v: string }
  | { t: "em" | "strong"; c: Inline[] }
  | { t: "link"; href: string; c: Inline[] }
  | { t: "image"; href: string; alt: string }
  | { t: "br" };

export type Block =
  | { t: "p"; c: Inline[] }
  | { t: "h"; level: 1 | 2 | 3 | 4 | 5 | 6; c: Inline[] }
  | { t: "code"; lang: string; v: string }
  | { t: "list"; ordered: boolean; start: number; items: Block[][] }
  | { t: "quote"; c: Block[] }
  | { t: "hr" };

/** Block quotes and lists nested deeper than this are read as text. */
export const MAX_BLOCK_DEPTH = 8;
/** Emphasis and links nested deeper than this are flattened to their text. */
export const MAX_INLINE_DEPTH = 12;
/** A link destination longer than this is not a link (bounds the work per "[…](" attempt). */
const MAX_URL = 4096;

const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
const HAS_BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

/** Replaces bidirectional control characters by a visible marker. */
export function showBidiControls(text: string): string {
  return text.replace(BIDI, (ch) => `⟦U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}⟧`);
}

/** The normalised href when `raw` is an absolute http:, https: or mailto: URL; null otherwise. */
export function safeHref(raw: string): string | null {
  const s = raw.trim();
  // Control characters and spaces are never part of a link we keep (browsers strip some of them, which is
  // how "java\tscript:" tricks work); checked before parsing, on the text as written.
  // A bidirectional control (or the marker parseInline put in its place) hides where a link goes.
  if (!s || /[\u0000-\u0020\u007F-\u009F]/.test(s) || HAS_BIDI.test(s) || s.includes("⟦U+") || s.length > MAX_URL) return null;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:" && url.protocol !== "mailto:") return null;
  if (url.protocol !== "mailto:" && !url.hostname) return null;
  return url.href;
}

// ------------------------------------------------------------------------------------------------ blocks

interface Line {
  text: string;
  /** Columns of leading whitespace (a tab counts to the next multiple of 4). */
  indent: number;
  /** Index of the first non-whitespace character. */
  start: number;
}

function line(text: string): Line {
  let indent = 0;
  let i = 0;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (ch === " ") indent++;
    else if (ch === "\t") indent += 4 - (indent % 4);
    else break;
  }
  return { text, indent, start: i };
}

const blank = (l: Line) => l.start === l.text.length;

/** The text of a line with `cols` columns of indentation removed (tabs expanded as needed). */
function dedent(l: Line, cols: number): string {
  let col = 0;
  let i = 0;
  while (i < l.text.length && col < cols) {
    const ch = l.text[i];
    if (ch === " ") col++;
    else if (ch === "\t") {
      const w = 4 - (col % 4);
      if (col + w > cols) return " ".repeat(col + w - cols) + l.text.slice(i + 1);
      col += w;
    } else break;
    i++;
  }
  return l.text.slice(i);
}

function fence(l: Line): { ch: string; len: number; info: string } | null {
  if (l.indent > 3) return null;
  const ch = l.text[l.start];
  if (ch !== "`" && ch !== "~") return null;
  let j = l.start;
  while (l.text[j] === ch) j++;
  const len = j - l.start;
  if (len < 3) return null;
  const info = l.text.slice(j).trim();
  if (ch === "`" && info.includes("`")) return null;
  return { ch, len, info };
}

function heading(l: Line): { level: 1 | 2 | 3 | 4 | 5 | 6; text: string } | null {
  if (l.indent > 3 || l.text[l.start] !== "#") return null;
  let j = l.start;
  while (l.text[j] === "#") j++;
  const level = j - l.start;
  if (level > 6 || (j < l.text.length && l.text[j] !== " " && l.text[j] !== "\t")) return null;
  let text = l.text.slice(j).trim();
  // An optional closing sequence of #s, preceded by a space (or the whole content).
  let k = text.length;
  while (k > 0 && text[k - 1] === "#") k--;
  if (k === 0) text = "";
  else if (k < text.length && (text[k - 1] === " " || text[k - 1] === "\t")) text = text.slice(0, k).trim();
  return { level: level as 1 | 2 | 3 | 4 | 5 | 6, text };
}

function thematicBreak(l: Line): boolean {
  if (l.indent > 3) return false;
  const ch = l.text[l.start];
  if (ch !== "-" && ch !== "*" && ch !== "_") return false;
  let n = 0;
  for (let i = l.start; i < l.text.length; i++) {
    const c = l.text[i];
    if (c === ch) n++;
    else if (c !== " " && c !== "\t") return false;
  }
  return n >= 3;
}

interface Marker {
  ordered: boolean;
  start: number;
  /** The bullet character or the ordered delimiter, so a different one starts a new list. */
  kind: string;
  /** Columns from the line's start to the item's content. */
  content: number;
  /** The item's first line, without the marker. */
  rest: string;
}

function listMarker(l: Line): Marker | null {
  if (l.indent > 3) return null;
  const s = l.text;
  let j = l.start;
  let ordered = false;
  let start = 1;
  let kind: string;
  if (s[j] === "-" || s[j] === "*" || s[j] === "+") {
    kind = s[j];
    j++;
  } else {
    const d0 = j;
    while (j < s.length && j - d0 < 10 && s[j] >= "0" && s[j] <= "9") j++;
    if (j === d0 || j - d0 > 9 || (s[j] !== "." && s[j] !== ")")) return null;
    ordered = true;
    start = Number(s.slice(d0, j));
    kind = s[j];
    j++;
  }
  if (j < s.length && s[j] !== " " && s[j] !== "\t") return null;
  const markerEnd = l.indent + (j - l.start);
  const after = line(s.slice(j));
  if (blank(after)) return { ordered, start, kind, content: markerEnd + 1, rest: "" };
  // 1–4 spaces after the marker belong to it; more means indented code inside the item: take one.
  const gap = after.indent >= 5 ? 1 : after.indent;
  return { ordered, start, kind, content: markerEnd + gap, rest: dedent({ text: s.slice(j), indent: after.indent, start: after.start }, gap) };
}

const quoteStart = (l: Line) => l.indent <= 3 && l.text[l.start] === ">";

/** A line that ends a paragraph when it follows one. */
function interrupts(l: Line): boolean {
  if (l.indent > 3) return false;
  if (fence(l) || heading(l) || thematicBreak(l) || quoteStart(l)) return true;
  const m = listMarker(l);
  // An ordered list interrupts a paragraph only when it starts at 1, and an empty item never does
  // (so "2. " or "-" inside prose stay prose).
  return m !== null && m.rest !== "" && (!m.ordered || m.start === 1);
}

function parseBlocks(lines: Line[], depth: number): Block[] {
  const out: Block[] = [];
  let i = 0;
  const nested = depth < MAX_BLOCK_DEPTH;
  while (i < lines.length) {
    const l = lines[i];
    if (blank(l)) {
      i++;
      continue;
    }
    const f = fence(l);
    if (f) {
      const body: string[] = [];
      i++;
      while (i < lines.length) {
        const c = lines[i];
        const close = fence(c);
        if (close && close.ch === f.ch && close.len >= f.len && close.info === "") {
          i++;
          break;
        }
        body.push(dedent(c, Math.min(c.indent, l.indent)));
        i++;
      }
      out.push({ t: "code", lang: showBidiControls(f.info.split(/\s/, 1)[0] ?? ""), v: showBidiControls(body.join("\n")) });
      continue;
    }
    if (l.indent >= 4) {
      const body: string[] = [];
      while (i < lines.length && (lines[i].indent >= 4 || blank(lines[i]))) body.push(dedent(lines[i++], 4));
      while (body.length && body[body.length - 1].trim() === "") body.pop();
      out.push({ t: "code", lang: "", v: showBidiControls(body.join("\n")) });
      continue;
    }
    const h = heading(l);
    if (h) {
      out.push({ t: "h", level: h.level, c: parseInline(h.text) });
      i++;
      continue;
    }
    if (thematicBreak(l)) {
      out.push({ t: "hr" });
      i++;
      continue;
    }
    if (quoteStart(l) && nested) {
      const inner: Line[] = [];
      while (i < lines.length && !blank(lines[i])) {
        const c = lines[i];
        if (quoteStart(c)) {
          let rest = c.text.slice(c.start + 1);
          if (rest[0] === " ") rest = rest.slice(1);
          inner.push(line(rest));
        } else if (inner.length && !interrupts(c)) inner.push(c); // lazy continuation of the quoted paragraph
        else break;
        i++;
      }
      out.push({ t: "quote", c: parseBlocks(inner, depth + 1) });
      continue;
    }
    const m = listMarker(l);
    if (m && nested) {
      const items: Block[][] = [];
      while (i < lines.length) {
        const c = lines[i];
        const cm = listMarker(c);
        if (!cm || cm.kind !== m.kind || cm.ordered !== m.ordered) break;
        const body: Line[] = [line(cm.rest)];
        i++;
        while (i < lines.length) {
          const n = lines[i];
          if (blank(n)) {
            // A blank line continues the item only when the next content is indented into it.
            let k = i;
            while (k < lines.length && blank(lines[k])) k++;
            if (k < lines.length && lines[k].indent >= cm.content) {
              for (; i < k; i++) body.push(line(""));
              continue;
            }
            break;
          }
          if (n.indent >= cm.content) body.push(line(dedent(n, cm.content)));
          else if (!interrupts(n) && !listMarker(n) && !blank(body[body.length - 1])) body.push(n); // lazy continuation
          else break;
          i++;
        }
        items.push(parseBlocks(body, depth + 1));
        // Blank lines between items of one list.
        let k = i;
        while (k < lines.length && blank(lines[k])) k++;
        const next = k < lines.length ? listMarker(lines[k]) : null;
        if (next && next.kind === m.kind && next.ordered === m.ordered) i = k;
        else break;
      }
      out.push({ t: "list", ordered: m.ordered, start: m.start, items });
      continue;
    }
    // A paragraph: up to a blank line or a line that starts another block.
    const para: string[] = [l.text.slice(l.start)];
    i++;
    for (; i < lines.length && !blank(lines[i]) && !interrupts(lines[i]); i++) para.push(lines[i].text.slice(lines[i].start));
    out.push({ t: "p", c: parseInline(para.join("\n").trimEnd()) });
  }
  return out;
}

/** Parses Markdown text into blocks. */
export function parseMarkdown(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n").map(line);
  return parseBlocks(lines, 0);
}

// ------------------------------------------------------------------------------------------------ inlines

const PUNCT = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
const isSpace = (ch: string | undefined) => ch === undefined || /\s/.test(ch);
const isPunct = (ch: string | undefined) => ch !== undefined && (PUNCT.has(ch) || /\p{P}/u.test(ch));

/** A run of * or _ that may open and/or close emphasis (CommonMark's flanking rules). */
interface Delim {
  ch: "*" | "_";
  /** Characters still unused, and the index of the text node that holds them. */
  count: number;
  node: number;
  canOpen: boolean;
  canClose: boolean;
  original: number;
}

/** Where each "[" closes (or -1), skipping escaped brackets and code spans: one pass, so matching is linear. */
function matchBrackets(s: string, codeEnd: Map<number, number>): Int32Array {
  const close = new Int32Array(s.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "\\") i++;
    else if (ch === "`" && codeEnd.has(i)) i = codeEnd.get(i)! - 1;
    else if (ch === "[") stack.push(i);
    else if (ch === "]" && stack.length) close[stack.pop()!] = i;
  }
  return close;
}

/** Code spans: for each opening backtick run, the index after its closing run (runs of equal length pair up). */
function matchCode(s: string): Map<number, number> {
  const runs: { at: number; len: number }[] = [];
  for (let i = 0; i < s.length; ) {
    if (s[i] === "\\" && s[i + 1] !== "`") {
      i += 2;
      continue;
    }
    if (s[i] !== "`") {
      i++;
      continue;
    }
    let j = i;
    while (s[j] === "`") j++;
    runs.push({ at: i, len: j - i });
    i = j;
  }
  // Per length, the runs in order: an opener pairs with the next run of the same length.
  const byLen = new Map<number, number[]>();
  runs.forEach((r, k) => (byLen.get(r.len) ?? byLen.set(r.len, []).get(r.len)!).push(k));
  const end = new Map<number, number>();
  const taken = new Set<number>();
  const next = new Map<number, number>(); // position in byLen list per length
  for (let k = 0; k < runs.length; k++) {
    if (taken.has(k)) continue;
    const list = byLen.get(runs[k].len)!;
    let p = next.get(runs[k].len) ?? 0;
    while (p < list.length && list[p] <= k) p++;
    while (p < list.length && taken.has(list[p])) p++;
    next.set(runs[k].len, p);
    if (p < list.length) {
      const c = list[p];
      taken.add(c);
      end.set(runs[k].at, runs[c].at + runs[c].len);
      next.set(runs[k].len, p + 1);
    }
  }
  return end;
}

/** Link destination and the closing ")" after "(" at `open`: [href text, index after ")"] or null. */
function linkTail(s: string, open: number, nextGt: Int32Array): [string, number] | null {
  let i = open + 1;
  const limit = Math.min(s.length, open + MAX_URL + 256);
  while (i < limit && (s[i] === " " || s[i] === "\t" || s[i] === "\n")) i++;
  let dest = "";
  if (s[i] === "<") {
    const j = nextGt[i + 1] ?? -1;
    if (j < 0 || j > limit || s.slice(i + 1, j).includes("\n")) return null;
    dest = s.slice(i + 1, j);
    i = j + 1;
  } else {
    let depth = 0;
    const d0 = i;
    for (; i < limit; i++) {
      const ch = s[i];
      if (ch === "\\" && i + 1 < s.length) i++;
      else if (ch === "(") depth++;
      else if (ch === ")") {
        if (depth === 0) break;
        depth--;
      } else if (ch === " " || ch === "\t" || ch === "\n") break;
    }
    dest = s.slice(d0, i);
  }
  while (i < limit && (s[i] === " " || s[i] === "\t" || s[i] === "\n")) i++;
  // An optional title: kept out of the output (it would only be a tooltip).
  const q = s[i];
  if (q === '"' || q === "'" || q === "(") {
    const closeQ = q === "(" ? ")" : q;
    let j = i + 1;
    for (; j < limit && s[j] !== closeQ; j++) if (s[j] === "\\") j++;
    if (j >= limit) return null;
    i = j + 1;
    while (i < limit && (s[i] === " " || s[i] === "\t" || s[i] === "\n")) i++;
  }
  if (s[i] !== ")") return null;
  return [dest.replace(/\\([!-/:-@[-`{-~])/g, "$1"), i + 1];
}

/** Parses one paragraph's (or heading's) text into inline nodes. */
export function parseInline(text: string, allowLinks = true): Inline[] {
  const s = showBidiControls(text);
  const codeEnd = matchCode(s);
  const brackets = matchBrackets(s, codeEnd);
  // The next ">" at or after each position (-1: none), so "<" never searches the rest of the text again.
  const nextGt = new Int32Array(s.length + 1).fill(-1);
  for (let i = s.length - 1; i >= 0; i--) nextGt[i] = s[i] === ">" ? i : nextGt[i + 1];
  const nodes: Inline[] = [];
  const delims: Delim[] = [];
  let buf = "";
  const flush = () => {
    if (buf) nodes.push({ t: "text", v: buf });
    buf = "";
  };
  for (let i = 0; i < s.length; ) {
    const ch = s[i];
    if (ch === "\\") {
      if (s[i + 1] === "\n") {
        flush();
        nodes.push({ t: "br" });
        i += 2;
      } else if (s[i + 1] !== undefined && PUNCT.has(s[i + 1])) {
        buf += s[i + 1];
        i += 2;
      } else {
        buf += ch;
        i++;
      }
      continue;
    }
    if (ch === "\n") {
      flush();
      nodes.push({ t: "br" });
      i++;
      continue;
    }
    if (ch === "`") {
      let j = i;
      while (s[j] === "`") j++;
      const end = codeEnd.get(i);
      if (end === undefined) {
        buf += s.slice(i, j);
        i = j;
        continue;
      }
      let code = s.slice(j, end - (j - i)).replace(/\n/g, " ");
      if (code.length > 2 && code[0] === " " && code[code.length - 1] === " " && code.trim() !== "") code = code.slice(1, -1);
      flush();
      nodes.push({ t: "code", v: code });
      i = end;
      continue;
    }
    const image = ch === "!" && s[i + 1] === "[";
    if ((ch === "[" || image) && allowLinks) {
      const open = image ? i + 1 : i;
      const close = brackets[open];
      if (close > 0 && s[close + 1] === "(") {
        const tail = linkTail(s, close + 1, nextGt);
        if (tail) {
          const [dest, after] = tail;
          const href = safeHref(dest);
          const label = s.slice(open + 1, close);
          flush();
          if (href && image) nodes.push({ t: "image", href, alt: label });
          else if (href) nodes.push({ t: "link", href, c: parseInline(label, false) });
          else nodes.push({ t: "text", v: s.slice(i, after) }); // not a link we follow: its source, as text
          i = after;
          continue;
        }
      }
    }
    if (ch === "<" && allowLinks) {
      const j = nextGt[i + 1];
      if (j > i + 1 && j - i <= MAX_URL) {
        const inner = s.slice(i + 1, j);
        const href = /^[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*$/.test(inner) ? safeHref(inner) : null;
        if (href) {
          flush();
          nodes.push({ t: "link", href, c: [{ t: "text", v: inner }] });
          i = j + 1;
          continue;
        }
      }
    }
    if (ch === "*" || ch === "_") {
      let j = i;
      while (s[j] === ch) j++;
      const before = i > 0 ? s[i - 1] : undefined;
      const after = s[j];
      const leftFlanking = !isSpace(after) && (!isPunct(after) || isSpace(before) || isPunct(before));
      const rightFlanking = !isSpace(before) && (!isPunct(before) || isSpace(after) || isPunct(after));
      const canOpen = ch === "*" ? leftFlanking : leftFlanking && (!rightFlanking || isPunct(before));
      const canClose = ch === "*" ? rightFlanking : rightFlanking && (!leftFlanking || isPunct(after));
      flush();
      nodes.push({ t: "text", v: s.slice(i, j) });
      if (canOpen || canClose) delims.push({ ch, count: j - i, node: nodes.length - 1, canOpen, canClose, original: j - i });
      i = j;
      continue;
    }
    buf += ch;
    i++;
  }
  flush();
  return limitDepth(emphasis(nodes, delims));
}

/** A paragraph with more delimiter runs than this keeps its * and _ as text (bounds the emphasis work). */
const MAX_DELIMS = 2_000;

type Text = { t: "text"; v: string };
interface Item {
  node: Inline;
  prev: Item | null;
  next: Item | null;
}
interface DelimItem {
  item: Item;
  ch: "*" | "_";
  count: number;
  orig: number;
  canOpen: boolean;
  canClose: boolean;
  prev: DelimItem | null;
  next: DelimItem | null;
}

/**
 * CommonMark's "process emphasis" (as commonmark.js does it): each closer takes the nearest opener of the same
 * character that the rule of 3 allows; the nodes between them become the em/strong's children. `bottom`
 * remembers, per kind of closer, where a search already failed, so no stretch is searched twice.
 */
function emphasis(nodes: Inline[], delims: Delim[]): Inline[] {
  if (!delims.length || delims.length > MAX_DELIMS) return mergeText(nodes);
  const head: Item = { node: { t: "text", v: "" }, prev: null, next: null };
  const items: Item[] = [];
  let tail = head;
  for (const node of nodes) {
    const it: Item = { node, prev: tail, next: null };
    tail.next = it;
    tail = it;
    items.push(it);
  }
  let first: DelimItem | null = null;
  let prev: DelimItem | null = null;
  for (const d of delims) {
    const x: DelimItem = { item: items[d.node], ch: d.ch, count: d.count, orig: d.original, canOpen: d.canOpen, canClose: d.canClose, prev, next: null };
    if (prev) prev.next = x;
    else first = x;
    prev = x;
  }
  const removeDelim = (d: DelimItem) => {
    if (d.prev) d.prev.next = d.next;
    else first = d.next;
    if (d.next) d.next.prev = d.prev;
  };
  const removeItem = (it: Item) => {
    it.prev!.next = it.next;
    if (it.next) it.next.prev = it.prev;
  };
  const bottom = new Map<string, DelimItem | null>();
  let closer: DelimItem | null = first;
  while (closer) {
    if (!closer.canClose) {
      closer = closer.next;
      continue;
    }
    const key = `${closer.ch}${closer.canOpen ? 1 : 0}${closer.orig % 3}`;
    const floor = bottom.get(key);
    let opener = closer.prev;
    let found = false;
    while (opener && opener !== floor) {
      const odd = (closer.canOpen || opener.canClose) && closer.orig % 3 !== 0 && (opener.orig + closer.orig) % 3 === 0;
      if (opener.ch === closer.ch && opener.canOpen && !odd) {
        found = true;
        break;
      }
      opener = opener.prev;
    }
    const old: DelimItem = closer;
    if (found && opener) {
      const use = closer.count >= 2 && opener.count >= 2 ? 2 : 1;
      opener.count -= use;
      closer.count -= use;
      (opener.item.node as Text).v = opener.ch.repeat(opener.count);
      (closer.item.node as Text).v = closer.ch.repeat(closer.count);
      const emph: Inline = { t: use === 2 ? "strong" : "em", c: [] };
      for (let it = opener.item.next; it && it !== closer.item; ) {
        const next: Item | null = it.next;
        emph.c.push(it.node);
        removeItem(it);
        it = next;
      }
      const e: Item = { node: { ...emph, c: mergeText(emph.c) }, prev: opener.item, next: opener.item.next };
      opener.item.next!.prev = e;
      opener.item.next = e;
      for (let d = closer.prev; d && d !== opener; ) {
        const p: DelimItem | null = d.prev;
        removeDelim(d);
        d = p;
      }
      if (opener.count === 0) {
        removeItem(opener.item);
        removeDelim(opener);
      }
      if (closer.count === 0) {
        removeItem(closer.item);
        const next: DelimItem | null = closer.next;
        removeDelim(closer);
        closer = next;
      }
    } else {
      closer = closer.next;
      bottom.set(key, old.prev);
      if (!old.canOpen) removeDelim(old);
    }
  }
  const out: Inline[] = [];
  for (let it = head.next; it; it = it.next) out.push(it.node);
  return mergeText(out);
}

/** Adjacent text nodes as one, empty ones dropped. */
function mergeText(nodes: Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const n of nodes) {
    if (n.t === "text" && n.v === "") continue;
    const last = out[out.length - 1];
    if (n.t === "text" && last?.t === "text") out[out.length - 1] = { t: "text", v: last.v + n.v };
    else out.push(n);
  }
  return out;
}

/** Text of inline nodes (iteratively: no recursion on deep input). */
export function inlineText(nodes: Inline[]): string {
  let out = "";
  const stack: Inline[] = [...nodes].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (n.t === "text" || n.t === "code") out += n.v;
    else if (n.t === "br") out += "\n";
    else if (n.t === "image") out += n.alt;
    else for (let i = n.c.length - 1; i >= 0; i--) stack.push(n.c[i]);
  }
  return out;
}

/** Emphasis nested deeper than MAX_INLINE_DEPTH becomes its plain text. */
function limitDepth(nodes: Inline[], depth = 0): Inline[] {
  return nodes.map((n) => {
    if (n.t !== "em" && n.t !== "strong" && n.t !== "link") return n;
    if (depth >= MAX_INLINE_DEPTH) return { t: "text", v: inlineText([n]) };
    return { ...n, c: limitDepth(n.c, depth + 1) };
  });
}
