// next-auth configuration: e-mail + password (bcrypt), JWT sessions in a signed cookie (the app stays
// stateless), the role carried in the session. The role is read again from the database on every
// request (lib/auth/session.ts), so a role change or deactivation takes effect at once.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { authenticate } from "./lib/auth/sign-in";
import { getDb } from "./lib/db";
import { authSecret } from "./lib/env";

let options: NextAuthOptions | undefined;

/** Built on first use, not at import, so `next build` needs no secret. */
export function getAuthOptions(): NextAuthOptions {
  options ??= {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials) {
          // Errors thrown here reach the sign-in form as their message (throttling, deactivation).
          const user = await authenticate(await getDb(), credentials?.email, credentials?.password);
          return { id: user.id, email: user.email, name: user.name, role: user.role };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.uid = user.id;
          token.role = (user as { role?: string }).role;
        }
        return token;
      },
      session({ session, token }) {
        if (session.user) {
          (session.user as { id?: unknown }).id = token.uid;
          (session.user as { role?: unknown }).role = token.role;
        }
        return session;
      },
    },
  };
  return options;
}
