"use client";
// A page that failed on the server (its layout too: this sits above the app shell, which reads the session
// from the database). The usual cause in practice is the database being down or restarting:
// this asks /api/health, says so plainly, and reloads the page by itself once the database answers again,
// so nobody has to restart anything or guess. Any other failure gets a retry button and the error's digest.
import { useRouter } from "next/navigation";
import { startTransition, useCallback, useEffect, useState } from "react";
import { Button } from "@/components/ui/button";

const POLL_MS = 3000;

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const [database, setDatabase] = useState<"checking" | "down" | "up">("checking");
  const router = useRouter();
  // The page failed on the server: render it there again (refresh), then drop this boundary (reset).
  const retry = useCallback(() => startTransition(() => {
    router.refresh();
    reset();
  }), [router, reset]);

  useEffect(() => {
    let stopped = false;
    let wasDown = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      const up = await fetch("/api/health", { cache: "no-store" })
        .then((r) => r.ok)
        .catch(() => false);
      if (stopped) return;
      if (up) {
        setDatabase("up");
        // It was down while this page failed: it is back, so load the page again.
        if (wasDown) retry();
      } else {
        wasDown = true;
        setDatabase("down");
        timer = setTimeout(check, POLL_MS);
      }
    };
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [retry]);

  return (
    <div role="alert" className="max-w-2xl space-y-3 rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950" data-testid="page-error">
      {database === "down" ? (
        <>
          <h1 className="text-base font-semibold">The database is unreachable</h1>
          <p>
            Nothing you saved is lost. This page checks every few seconds and loads itself again as soon as the database
            answers.
          </p>
        </>
      ) : (
        <>
          <h1 className="text-base font-semibold">This page failed to load</h1>
          <p>The error was logged on the server{error.digest ? ` (reference ${error.digest})` : ""}.</p>
        </>
      )}
      <Button type="button" variant="secondary" onClick={retry}>
        Try again
      </Button>
    </div>
  );
}
