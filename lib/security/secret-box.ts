// Secrets the app must store and read back (an admin-set LLM API key): sealed with AES-256-GCM under a key
// derived from the session secret, so a database dump or backup alone does not reveal them. Whoever holds
// both the database and NEXTAUTH_SECRET can still read them; that is the deployment's trust boundary.
// Server-only (node:crypto).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const PREFIX = "sealed:v1:";

export class UnsealError extends Error {
  constructor() {
    super("A stored secret cannot be read with this process's NEXTAUTH_SECRET (was it changed since the secret was saved?). Set the secret again.");
    this.name = "UnsealError";
  }
}

function keyFor(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "abstain", "stored secrets v1", 32));
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** "sealed:v1:" + base64(12-byte IV ‖ 16-byte tag ‖ ciphertext). A fresh IV each time. */
export function seal(plaintext: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(secret), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

/** The plaintext; UnsealError when the value was sealed under another secret or altered. */
export function unseal(sealed: string, secret: string): string {
  if (!isSealed(sealed)) throw new UnsealError();
  const raw = Buffer.from(sealed.slice(PREFIX.length), "base64");
  if (raw.length < 28) throw new UnsealError();
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFor(secret), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    throw new UnsealError();
  }
}
