// Literal prefilters for regexes. requiredLiterals() reads a regex's source and names literal strings one of which
// every match contains; LiteralGates finds, in one pass over a text, which of several such sets occur in it. The
// heuristic judge runs a cue's regex on a sentence only when the sentence holds one of the cue's literals: most
// sentences match no cue, and one pass of the scanner costs about as much as a single regex scan.
//
// Sound by construction: a literal set is only ever weakened (a node whose matches cannot be pinned down
// contributes nothing), so a gate can let a sentence through needlessly but never stop a match. Syntax outside the
// subset below (back-references, the i / u / v flags, …) yields no literals: that regex always runs.

/** What is known about the strings a regex node matches. */
interface Info {
  /** Every string the node can match, while there are at most EXACT_LIMIT; null when unknown or too many. */
  exact: Set<string> | null;
  /** Every match contains one of these; null when nothing is known. */
  need: Set<string> | null;
}

const EXACT_LIMIT = 64;
/**
 * Literals are cut to this many characters (a prefix of a required literal is required too): longer ones hardly
 * select better, and the scanner's table grows with the total length of the literals.
 */
const LITERAL_LENGTH = 8;
/** A character class of more characters than this counts as "any character". */
const CLASS_LIMIT = 8;

const ANY: Info = { exact: null, need: null };
const EMPTY: Info = { exact: new Set([""]), need: null };
const one = (c: string): Info => ({ exact: new Set([c]), need: null });

function shortest(s: ReadonlySet<string>): number {
  let n = Infinity;
  for (const x of s) n = Math.min(n, x.length);
  return n;
}

/** The more selective of two literal sets: the longer shortest literal (up to LITERAL_LENGTH), then the fewer. */
function stronger(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  if (!a) return b;
  if (!b) return a;
  const la = Math.min(shortest(a), LITERAL_LENGTH);
  const lb = Math.min(shortest(b), LITERAL_LENGTH);
  if (la !== lb) return la > lb ? a : b;
  return a.size <= b.size ? a : b;
}

/** Drops literals that contain another one of the set ("contains x or xy" is "contains x"). */
function minimal(s: Set<string>): Set<string> {
  const sorted = [...s].sort((a, b) => a.length - b.length);
  const out: string[] = [];
  for (const x of sorted) if (!out.some((y) => x.includes(y))) out.push(x);
  return new Set(out);
}

function needOf(i: Info): Set<string> | null {
  return stronger(i.need, i.exact && !i.exact.has("") ? i.exact : null);
}

/** All concatenations, or null when one side is unknown or there would be more than EXACT_LIMIT. */
function product(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  if (!a || !b || a.size * b.size > EXACT_LIMIT) return null;
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return out;
}

/**
 * A sequence: runs of consecutive items whose strings are known are joined into literals ("i am " from five
 * characters); every run, and every item on its own, is a candidate, and the strongest one is kept.
 */
function sequence(items: readonly Info[]): Info {
  let run: Set<string> = new Set([""]);
  let broken = false;
  let need: Set<string> | null = null;
  for (const x of items) {
    const joined = product(run, x.exact);
    if (joined) {
      run = joined;
      continue;
    }
    broken = true;
    need = stronger(need, needOf({ exact: run, need: null }));
    need = stronger(need, needOf(x));
    run = x.exact ?? new Set([""]);
  }
  need = stronger(need, needOf({ exact: run, need: null }));
  return { exact: broken ? null : run, need };
}

/**
 * Alternatives: every match is one of theirs, so it contains one of the union of their literals. (Sets are
 * minimised once, at the end: doing it at every node costs more than the analysis itself.)
 */
function alternation(items: readonly Info[]): Info {
  if (items.length === 1) return items[0];
  let exact: Set<string> | null = new Set();
  let need: Set<string> | null = new Set();
  for (const x of items) {
    if (exact && x.exact && exact.size + x.exact.size <= EXACT_LIMIT) for (const e of x.exact) exact.add(e);
    else exact = null;
    const n = need && needOf(x);
    if (n) for (const l of n) need!.add(l);
    else need = null;
  }
  return { exact, need };
}

function repeat(x: Info, min: number, max: number): Info {
  if (min === 0) return max === 1 && x.exact ? { exact: new Set([...x.exact, ""]), need: null } : ANY;
  if (min === 1 && max === 1) return x;
  return { exact: null, need: needOf(x) };
}

class Unsupported extends Error {}

/** Characters that are not literal outside a class (in the patterns' subset; "]" and "}" are rejected). */
const SPECIAL = "\\^$.|?*+()[]{}";
const PLAIN = /[^\\^$.|?*+()[\]{}]+/y;

const CONTROL: Record<string, string> = { n: "\n", r: "\r", t: "\t", f: "\f", v: "\v", "0": "\0" };

/** Recursive descent over the regex subset the judge's patterns use. */
function analyse(src: string): Info {
  let i = 0;

  const hex = (digits: number): string => {
    const h = src.slice(i, i + digits);
    if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(h)) throw new Unsupported(src);
    i += digits;
    return String.fromCharCode(parseInt(h, 16));
  };

  /** An escaped character (after the backslash): a single character, or null for a class escape (\d \w \s …). */
  const escaped = (inClass: boolean): string | null => {
    const e = src[i++];
    if (e === undefined) throw new Unsupported(src);
    if ("dDwWsS".includes(e)) return null;
    if (e in CONTROL) return CONTROL[e];
    if (e === "b" && inClass) return "\b";
    if (e === "u") return hex(4);
    if (e === "x") return hex(2);
    if (/[A-Za-z0-9]/.test(e)) throw new Unsupported(src); // back-references, \c, \k, \p, \b outside a class…
    return e;
  };

  const characterClass = (): Info => {
    let negated = false;
    if (src[i] === "^") {
      negated = true;
      i++;
    }
    const chars = new Set<string>();
    let broad = negated;
    while (src[i] !== "]") {
      if (i >= src.length) throw new Unsupported(src);
      let c: string | null = src[i++];
      if (c === "\\") c = escaped(true);
      if (c === null) {
        broad = true;
        continue;
      }
      if (src[i] === "-" && src[i + 1] !== "]" && i + 1 < src.length) {
        i++;
        let d: string | null = src[i++];
        if (d === "\\") d = escaped(true);
        if (d === null) throw new Unsupported(src);
        const from = c.charCodeAt(0);
        const to = d.charCodeAt(0);
        if (to - from + 1 > CLASS_LIMIT) broad = true;
        else for (let k = from; k <= to; k++) chars.add(String.fromCharCode(k));
        continue;
      }
      chars.add(c);
    }
    i++;
    return broad || chars.size > CLASS_LIMIT ? ANY : { exact: chars, need: null };
  };

  const atom = (): Info => {
    const c = src[i++];
    if (c === "(") {
      let zeroWidth = false;
      if (src.startsWith("?:", i)) i += 2;
      else if (src.startsWith("?=", i) || src.startsWith("?!", i)) {
        zeroWidth = true;
        i += 2;
      } else if (src.startsWith("?<=", i) || src.startsWith("?<!", i)) {
        zeroWidth = true;
        i += 3;
      } else if (src[i] === "?") throw new Unsupported(src);
      const inner = alternatives();
      if (src[i++] !== ")") throw new Unsupported(src);
      // A lookaround consumes nothing; what it asserts is ignored, which only weakens the result.
      return zeroWidth ? EMPTY : inner;
    }
    if (c === "[") return characterClass();
    if (c === "\\") {
      if (src[i] === "b" || src[i] === "B") {
        i++;
        return EMPTY;
      }
      const e = escaped(false);
      return e === null ? ANY : one(e);
    }
    if (c === "^" || c === "$") return EMPTY;
    if (c === ".") return ANY;
    if (SPECIAL.includes(c)) throw new Unsupported(src);
    // A run of plain characters is one literal, up to the last one before a quantifier (which binds to it alone).
    PLAIN.lastIndex = i - 1;
    let run = PLAIN.exec(src)![0];
    if (run.length > 1 && i - 1 + run.length < src.length && "?*+{".includes(src[i - 1 + run.length])) run = run.slice(0, -1);
    i += run.length - 1;
    return one(run);
  };

  const quantified = (x: Info): Info => {
    let min: number;
    let max: number;
    const c = src[i];
    if (c === "?") [min, max] = [0, 1];
    else if (c === "*") [min, max] = [0, Infinity];
    else if (c === "+") [min, max] = [1, Infinity];
    else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (!m) throw new Unsupported(src);
      min = Number(m[1]);
      max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : min;
      i += m[0].length - 1;
    } else return x;
    i++;
    if (src[i] === "?") i++; // lazy: the same strings
    return repeat(x, min, max);
  };

  const sequenceOf = (): Info => {
    const items: Info[] = [];
    while (i < src.length && src[i] !== "|" && src[i] !== ")") items.push(quantified(atom()));
    return sequence(items);
  };

  const alternatives = (): Info => {
    const items = [sequenceOf()];
    while (src[i] === "|") {
      i++;
      items.push(sequenceOf());
    }
    return alternation(items);
  };

  const info = alternatives();
  if (i !== src.length) throw new Unsupported(src);
  return info;
}

/**
 * Literals one of which every match of `re` contains, chosen to be selective (long, few); null when the regex
 * guarantees none (it can match the empty string or any short string), uses syntax outside the supported subset,
 * or has a flag that changes what a literal means (i, u, v).
 */
export function requiredLiterals(re: RegExp): string[] | null {
  if (/[iuv]/.test(re.flags)) return null;
  try {
    const need = needOf(analyse(re.source));
    return need ? [...minimal(new Set([...need].map((l) => l.slice(0, LITERAL_LENGTH))))] : null;
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
}

/** requiredLiterals of a set of regexes of which any may match: the union, or null if one has none. */
export function requiredLiteralsOfAny(res: readonly RegExp[]): string[] | null {
  const out = new Set<string>();
  for (const re of res) {
    const l = requiredLiterals(re);
    if (!l) return null;
    for (const x of l) out.add(x);
  }
  return [...minimal(out)];
}

/**
 * Gates over one text at a time: gate k is open when the text contains one of its literals (a gate given null is
 * always open). One Aho–Corasick pass over the text, about one table lookup per character whatever the number of
 * literals. Transitions missing from the trie follow failure links while scanning rather than being filled in
 * beforehand: building the full table (states × symbols) cost more at start-up than it saves.
 */
export class LiteralGates {
  private readonly words: number;
  private readonly symbols: number;
  private readonly ascii = new Int32Array(128);
  private readonly wide = new Map<number, number>();
  /** child[s * symbols + a]: the trie state after s on symbol a, 0 for none (the root is nobody's child). */
  private readonly child: Int32Array;
  private readonly fail: Int32Array;
  private readonly out: Uint32Array;
  private readonly always: Uint32Array;
  private readonly open: Uint32Array;

  constructor(gates: readonly (readonly string[] | null)[]) {
    this.words = Math.max(1, Math.ceil(gates.length / 32));
    this.always = new Uint32Array(this.words);
    this.open = new Uint32Array(this.words);

    // Symbols: 1… for the characters literals use, 0 for every other character (which no literal contains).
    let symbols = 1;
    let length = 0;
    gates.forEach((literals, g) => {
      if (!literals || literals.length === 0 || literals.some((l) => l.length === 0)) {
        this.always[g >> 5] |= 1 << (g & 31);
        return;
      }
      for (const l of literals) {
        length += l.length;
        for (let k = 0; k < l.length; k++) {
          const code = l.charCodeAt(k);
          if (code < 128 ? this.ascii[code] : this.wide.has(code)) continue;
          if (code < 128) this.ascii[code] = symbols++;
          else this.wide.set(code, symbols++);
        }
      }
    });
    this.symbols = symbols;

    // The trie; each state also keeps its symbol and its list of children (first child, next sibling) for the
    // breadth-first pass below.
    const child = new Int32Array((length + 1) * symbols);
    const out = new Uint32Array((length + 1) * this.words);
    const via = new Int32Array(length + 1);
    const firstChild = new Int32Array(length + 1);
    const sibling = new Int32Array(length + 1);
    let states = 1;
    gates.forEach((literals, g) => {
      if (isOpen(this.always, g)) return;
      for (const literal of literals!) {
        let s = 0;
        for (let k = 0; k < literal.length; k++) {
          const a = this.symbol(literal.charCodeAt(k));
          const at = s * symbols + a;
          if (!child[at]) {
            via[states] = a;
            sibling[states] = firstChild[s];
            firstChild[s] = states;
            child[at] = states++;
          }
          s = child[at];
        }
        out[s * this.words + (g >> 5)] |= 1 << (g & 31);
      }
    });
    this.child = child.subarray(0, states * symbols);
    this.out = out.subarray(0, states * this.words);

    // Failure links breadth-first (a state's failure state is shallower, so it is done first); a state also
    // reports what its failure state reports.
    const fail = new Int32Array(states);
    const queue = new Int32Array(states);
    let queued = 0;
    for (let t = firstChild[0]; t; t = sibling[t]) queue[queued++] = t;
    for (let q = 0; q < queued; q++) {
      const s = queue[q];
      for (let w = 0; w < this.words; w++) out[s * this.words + w] |= out[fail[s] * this.words + w];
      for (let t = firstChild[s]; t; t = sibling[t]) {
        fail[t] = this.step(fail, fail[s], via[t]);
        queue[queued++] = t;
      }
    }
    this.fail = fail;
  }

  private symbol(code: number): number {
    return code < 128 ? this.ascii[code] : (this.wide.get(code) ?? 0);
  }

  /** The state after reading symbol a in state s: the longest suffix that is a trie state. */
  private step(fail: Int32Array, s: number, a: number): number {
    const { child, symbols } = this;
    for (;;) {
      const t = child[s * symbols + a];
      if (t || s === 0) return t;
      s = fail[s];
    }
  }

  /** The open gates for `text`, as a bit set (gate k: bit k & 31 of word k >> 5); valid until the next scan. */
  scan(text: string): Uint32Array {
    const { open, out, fail, words } = this;
    open.set(this.always);
    let s = 0;
    // One word of gates (up to 32) is kept in a local rather than written back per character.
    let first = open[0];
    for (let i = 0; i < text.length; i++) {
      const a = this.symbol(text.charCodeAt(i));
      s = a === 0 ? 0 : this.step(fail, s, a);
      first |= out[s * words];
      for (let w = 1; w < words; w++) open[w] |= out[s * words + w];
    }
    open[0] = first;
    return open;
  }
}

export function isOpen(open: Uint32Array, gate: number): boolean {
  return (open[gate >> 5] & (1 << (gate & 31))) !== 0;
}
