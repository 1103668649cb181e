import { describe, expect, it } from "vitest";
import { UnsealError, isSealed, seal, unseal } from "./secret-box";

const SECRET = "a-session-secret-of-enough-length";

describe("secret box", () => {
  it("round-trips, and the sealed form does not contain the plaintext", () => {
    const key = "sk-live-0123456789abcdef";
    const sealed = seal(key, SECRET);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain(key);
    expect(Buffer.from(sealed.split(":")[2], "base64").toString("latin1")).not.toContain(key);
    expect(unseal(sealed, SECRET)).toBe(key);
    expect(unseal(seal("ünïcødé 🔑", SECRET), SECRET)).toBe("ünïcødé 🔑");
  });

  it("uses a fresh IV: the same secret sealed twice differs", () => {
    expect(seal("k", SECRET)).not.toBe(seal("k", SECRET));
  });

  it("refuses another session secret, an altered value, and an unsealed value", () => {
    const sealed = seal("sk-test", SECRET);
    expect(() => unseal(sealed, "another-secret-of-enough-length")).toThrow(UnsealError);
    const raw = Buffer.from(sealed.slice("sealed:v1:".length), "base64");
    raw[raw.length - 1] ^= 1;
    expect(() => unseal(`sealed:v1:${raw.toString("base64")}`, SECRET)).toThrow(UnsealError);
    expect(() => unseal("sk-plain", SECRET)).toThrow(UnsealError);
    expect(() => unseal("sealed:v1:AAAA", SECRET)).toThrow(/NEXTAUTH_SECRET/);
  });
});
