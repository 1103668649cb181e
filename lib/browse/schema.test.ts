import { describe, expect, it } from "vitest";
import { browseHref, parseBrowseParams } from "./schema";

describe("browse URL parameters", () => {
  it("parse into a filter and back into the same URL", () => {
    const { filter, errors } = parseBrowseParams({ run: "r1", expectation: "should_comply", source: "best", judge: "j1", labelled: "1", q: " bomb " });
    expect(errors).toEqual([]);
    expect(filter).toEqual({ run: "r1", expectation: "should_comply", source: "best", judge: "j1", labelled: "1", q: "bomb" });
    expect(browseHref(filter)).toBe("/browse?run=r1&expectation=should_comply&source=best&judge=j1&labelled=1&q=bomb");
  });

  it("ignore a bad or unknown parameter with a message naming it, keeping the rest", () => {
    const { filter, errors } = parseBrowseParams({ run: "r1", finalVerdict: "maybe", colour: "red", expectation: "" });
    expect(filter).toEqual({ run: "r1" });
    expect(errors).toHaveLength(2);
    expect(errors.join(" ")).toMatch(/finalVerdict/);
    expect(errors.join(" ")).toMatch(/colour/);
  });

  it("reject ids with SQL or path characters", () => {
    expect(parseBrowseParams({ run: "x' OR 1=1 --" }).filter).toEqual({});
  });
});
