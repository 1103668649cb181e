import { describe, expect, it } from "vitest";
import { createNonce, pageCsp } from "./csp";

const directive = (csp: string, name: string) => csp.split("; ").find((d) => d.startsWith(`${name} `)) ?? "";

describe("page CSP", () => {
  it("lets scripts run only with the nonce: no unsafe-inline, no unsafe-eval in production", () => {
    const script = directive(pageCsp("abc123=="), "script-src");
    expect(script).toContain("'nonce-abc123=='");
    expect(script).not.toContain("unsafe-inline");
    expect(script).not.toContain("unsafe-eval");
    expect(directive(pageCsp("abc123==", { dev: true }), "script-src")).toContain("'unsafe-eval'");
  });

  it("forbids framing, plugins, foreign form targets and base URLs", () => {
    const csp = pageCsp("n0nce");
    expect(directive(csp, "frame-ancestors")).toBe("frame-ancestors 'none'");
    expect(directive(csp, "object-src")).toBe("object-src 'none'");
    expect(directive(csp, "form-action")).toBe("form-action 'self'");
    expect(directive(csp, "base-uri")).toBe("base-uri 'self'");
  });

  it("refuses a nonce that could break out of the header", () => {
    expect(() => pageCsp("x'; script-src *")).toThrow(/base64/);
  });

  it("makes a different base64 nonce of 16 bytes each time", () => {
    const seen = new Set(Array.from({ length: 100 }, createNonce));
    expect(seen.size).toBe(100);
    for (const n of seen) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });
});
