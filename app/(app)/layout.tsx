import Link from "next/link";
import type { ReactNode } from "react";
import { navFor } from "@/lib/auth/access";
import { getSessionUser } from "@/lib/auth/session";
import { SignOutButton } from "./_components/sign-out-button";

// The app shell. Each page checks its own access (requirePage); the shell only draws the navigation
// the signed-in role may use.
export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await getSessionUser();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-3">
          <Link href="/" className="text-lg font-semibold tracking-tight">
            Abstain
          </Link>
          {user ? (
            <nav aria-label="Main" className="flex gap-4 text-sm">
              {navFor(user.role).map((item) => (
                <Link key={item.path} href={item.path} className="text-slate-700 hover:text-blue-700">
                  {item.label}
                </Link>
              ))}
            </nav>
          ) : null}
          {user ? (
            <div className="ml-auto flex items-center gap-3 text-sm">
              <span className="text-slate-600" data-testid="current-user">
                {user.name} · <span className="font-medium">{user.role}</span>
              </span>
              <SignOutButton />
            </div>
          ) : null}
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  );
}
