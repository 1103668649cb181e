// Password hashing with bcrypt (pure JS: no native build on these machines). Cost 10 ≈ 0.1 s per hash.
import bcrypt from "bcryptjs";

const COST = 10;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

// A valid hash of a random string, compared against when the e-mail is unknown, so a sign-in takes
// the same time whether or not the account exists.
const DUMMY_HASH = "$2b$10$CwTycUXWue0Thq9StjUM0uJ8.qI5eVYcX1n9I/5FQ1tqj8h3YV5vW";

export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  const ok = await bcrypt.compare(password, hash ?? DUMMY_HASH);
  return hash !== null && ok;
}
