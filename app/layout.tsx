import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Abstain", template: "%s · Abstain" },
  description: "When should a language model say no, and does it?",
};

// Every page is rendered per request: the CSP nonce of proxy.ts exists only then, and a page prerendered
// at build time would carry scripts without it, which the browser would refuse to run.
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">{children}</body>
    </html>
  );
}
