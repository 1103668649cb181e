// Which user an annotator or adjudicator named in a file is. Pure.
//
// Decision: people named in a file who have no account are CREATED (when ImportPermissions.createAnnotators
// is on, the default) as *inactive annotators with an unusable password hash*, rather than refused: labels
// from earlier annotation rounds are the point of importing them, and their authors rarely have accounts
// here. Such an account cannot sign in (inactive, and the hash is not a bcrypt hash, so no password
// matches); an admin can later activate it and set a password. With the permission off, they are reported.
//
// Matching: a reference containing "@" is an e-mail address, compared case-insensitively. Otherwise it is a
// name: an exact (case-insensitive) match on one user's name, or the account an earlier import created for
// that name (e-mail <slug>@imported.invalid, .invalid being reserved by RFC 2606). Two users with that name
// is an error: the file must use e-mail addresses.
import { createHash } from "node:crypto";

/** Not a bcrypt hash (bcrypt hashes are 60 characters starting with $2), so no password can ever match. */
export const NO_LOGIN_HASH = "!imported-no-login";

export interface KnownUser {
  id: string;
  email: string;
  name: string;
}

export type UserResolution =
  | { kind: "existing"; ref: string; userId: string; email: string }
  | { kind: "create"; ref: string; email: string; name: string }
  | { kind: "ambiguous"; ref: string; emails: string[] };

export function nameToEmail(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return `${slug || `annotator-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`}@imported.invalid`;
}

/** Resolves every reference; `create` entries get distinct e-mail addresses even when two names slug alike. */
export function resolveUsers(refs: Iterable<string>, users: readonly KnownUser[]): Map<string, UserResolution> {
  const byEmail = new Map(users.map((u) => [u.email.toLowerCase(), u]));
  const byName = new Map<string, KnownUser[]>();
  for (const u of users) byName.set(u.name.toLowerCase(), [...(byName.get(u.name.toLowerCase()) ?? []), u]);
  const out = new Map<string, UserResolution>();
  const planned = new Set<string>();
  for (const ref of [...new Set(refs)].sort()) {
    if (ref.includes("@")) {
      const email = ref.toLowerCase();
      const u = byEmail.get(email);
      out.set(ref, u ? { kind: "existing", ref, userId: u.id, email: u.email } : { kind: "create", ref, email, name: email.split("@")[0] || email });
      continue;
    }
    const named = byName.get(ref.toLowerCase()) ?? [];
    if (named.length > 1) {
      out.set(ref, { kind: "ambiguous", ref, emails: named.map((u) => u.email).sort() });
      continue;
    }
    if (named.length === 1) {
      out.set(ref, { kind: "existing", ref, userId: named[0].id, email: named[0].email });
      continue;
    }
    let email = nameToEmail(ref);
    const earlier = byEmail.get(email);
    if (earlier) {
      out.set(ref, { kind: "existing", ref, userId: earlier.id, email: earlier.email });
      continue;
    }
    if (planned.has(email)) email = email.replace("@", `-${createHash("sha256").update(ref).digest("hex").slice(0, 6)}@`);
    planned.add(email);
    out.set(ref, { kind: "create", ref, email, name: ref });
  }
  return out;
}
