import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { coconotRecordSchema, parseJsonl } from "../datasets/coconot";
import { CUES, segment } from "./heuristic";
import { LiteralGates, isOpen, requiredLiterals, requiredLiteralsOfAny } from "./literal-gate";

const sorted = (xs: string[] | null) => (xs ? [...xs].sort() : xs);

describe("requiredLiterals", () => {
  it("joins a run of characters and the alternatives around it into literals", () => {
    expect(sorted(requiredLiterals(/\bi am (?:sorry|afraid)\b/))).toEqual(["i am afr", "i am sor"]); // cut to 8 characters
    expect(sorted(requiredLiterals(/cat|dog/))).toEqual(["cat", "dog"]);
    expect(sorted(requiredLiterals(/colou?r/))).toEqual(["color", "colour"]);
    expect(sorted(requiredLiterals(/\bapologi[sz]e\b/))).toEqual(["apologis", "apologiz"]);
  });

  it("keeps the most selective part of a sequence that contains unknown stretches", () => {
    expect(requiredLiterals(/\bno\b[^.]{0,40}\bactually\b/)).toEqual(["actually"]);
    expect(sorted(requiredLiterals(/\w+ (?:x|y)? consensus/))).toEqual(["  consen", " x conse", " y conse"]);
    expect(requiredLiterals(/(?:a|b)+ward/)).toEqual(["ward"]);
  });

  it("ignores what lookarounds assert and treats a quantified group as at least one copy", () => {
    expect(requiredLiterals(/\bnot\b(?! only)/)).toEqual(["not"]);
    expect(sorted(requiredLiterals(/(?:ab|cd){2,3}/))).toEqual(["ab", "cd"]);
  });

  it("gives nothing when a match need not contain any literal or the syntax is outside its subset", () => {
    expect(requiredLiterals(/x*/)).toBeNull();
    expect(requiredLiterals(/[a-z]+/)).toBeNull();
    expect(requiredLiterals(/a|\d/)).toBeNull();
    expect(requiredLiterals(/(a)\1/)).toBeNull(); // back-reference
    expect(requiredLiterals(/abc/i)).toBeNull(); // case-insensitive: a literal would not say which case
    expect(requiredLiterals(/\p{L}/u)).toBeNull();
    expect(requiredLiterals(/(?<x>a)/)).toBeNull(); // named group
  });

  it("of several regexes: the union, or nothing if one of them has none", () => {
    expect(sorted(requiredLiteralsOfAny([/cat/, /dog|bird/]))).toEqual(["bird", "cat", "dog"]);
    expect(requiredLiteralsOfAny([/cat/, /.*/])).toBeNull();
  });

  // Soundness on real text: a sentence a cue pattern matches always holds one of the pattern's literals.
  it("never rules out a match of a cue pattern in the CoCoNot reference responses", () => {
    const file = path.join(import.meta.dirname, "..", "..", "prisma/data/coconot/coconot_eval_with_reference_responses.3206be6.jsonl");
    const records = parseJsonl("coconot_eval", readFileSync(file, "utf8"), coconotRecordSchema)
      .map((x) => x.record)
      .slice(0, 400);
    const texts = records.flatMap((r) => segment(r.response ?? "")).flatMap((s) => [s.voice, s.norm]);
    const patterns = CUES.flatMap((c) => [...c.patterns, ...(c.unless ?? [])]);
    let matched = 0;
    for (const p of patterns) {
      const literals = requiredLiterals(p);
      for (const t of texts) {
        if (!p.test(t)) continue;
        matched++;
        if (literals && !literals.some((l) => t.includes(l))) expect.fail(`${p} matches ${JSON.stringify(t)} without any of ${JSON.stringify(literals)}`);
      }
    }
    expect(matched).toBeGreaterThan(1000);
  });
});

describe("LiteralGates", () => {
  it("opens the gates whose literals occur, overlapping and nested ones included", () => {
    const gates = new LiteralGates([["he", "she", "his", "hers"], ["xyz"], ["não"], ["ushe"]]);
    const open = (t: string) => [0, 1, 2, 3].filter((g) => isOpen(gates.scan(t), g));
    expect(open("ushers")).toEqual([0, 3]);
    expect(open("a xyz!")).toEqual([1]);
    expect(open("não sei")).toEqual([2]);
    expect(open("")).toEqual([]);
  });

  it("keeps a gate without literals always open", () => {
    const gates = new LiteralGates([null, [], ["abc"]]);
    expect([0, 1, 2].map((g) => isOpen(gates.scan("zzz"), g))).toEqual([true, true, false]);
  });

  it("agrees with a plain substring search on random literals and texts, beyond 32 gates", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const word = (max: number) => Array.from({ length: 1 + Math.floor(random() * max) }, () => "abcé "[Math.floor(random() * 5)]).join("");
    for (let round = 0; round < 20; round++) {
      const literals = Array.from({ length: 40 }, () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => word(4)));
      const gates = new LiteralGates(literals);
      for (let k = 0; k < 50; k++) {
        const text = word(30);
        const open = gates.scan(text);
        const wrong = literals.filter((ls, g) => isOpen(open, g) !== ls.some((l) => text.includes(l)));
        expect(wrong, `in ${JSON.stringify(text)}`).toEqual([]);
      }
    }
  });
});
