import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import { requirePage } from "@/lib/auth/session";
import { getOpenedDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { getQueueForAnnotator } from "@/lib/queues/data";
import { Annotator } from "./_components/annotator";

export const metadata: Metadata = { title: "Annotate" };
export const dynamic = "force-dynamic";

export default async function AnnotatePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePage("/queues/[id]", `/queues/${id}`);
  const db = (await getOpenedDb()).db;
  const queue = await getQueueForAnnotator(db, id, user).catch((err: unknown) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    if (err instanceof AppError && err.code === "forbidden") forbidden();
    throw err;
  });
  return (
    <div className="space-y-4">
      <div className="flex items-baseline justify-between">
        <h1 className="text-2xl font-semibold">{queue.name}</h1>
        <Link href="/queues" className="text-sm text-blue-700 underline">
          All queues
        </Link>
      </div>
      {queue.status === "closed" ? (
        <p className="rounded border border-amber-300 bg-amber-50 p-3 text-amber-900">This queue is closed: it takes no more labels.</p>
      ) : (
        <Annotator queue={{ id: queue.id, name: queue.name, blind: queue.blind, k: queue.k, progress: queue.progress }} />
      )}
    </div>
  );
}
