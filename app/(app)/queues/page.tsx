import type { Metadata } from "next";
import Link from "next/link";
import { requirePage } from "@/lib/auth/session";
import { getBrowseOptions } from "@/lib/browse/data";
import { parseBrowseParams } from "@/lib/browse/schema";
import { getOpenedDb } from "@/lib/db";
import { listQueues } from "@/lib/queues/data";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { CreateQueueForm } from "./_components/create-queue-form";

export const metadata: Metadata = { title: "Queues" };
export const dynamic = "force-dynamic";

export default async function QueuesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePage("/queues");
  const sp = await searchParams;
  const db = (await getOpenedDb()).db;
  const queues = await listQueues(db, user);
  const manager = user.role !== "annotator";
  const browse = typeof sp.browse === "string" ? parseBrowseParams(Object.fromEntries(new URLSearchParams(sp.browse))) : null;
  const [options, people] = manager
    ? await Promise.all([
        getBrowseOptions(db),
        db.user.findMany({ where: { active: true }, select: { id: true, name: true, role: true }, orderBy: [{ role: "asc" }, { name: "asc" }] }),
      ])
    : [null, []];
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Queues</h1>
        <p className="text-sm text-slate-600">
          {manager
            ? "Samples of responses for people to label. Each item gets k labels from different annotators; in blind queues nobody sees the judge before submitting."
            : "The queues you may label. Start one and use the keyboard: 1–4 for the verdict, ? for every shortcut."}
        </p>
      </div>
      <Card title={manager ? "All queues" : "Your queues"}>
        {queues.length === 0 ? (
          <p className="text-sm text-slate-600" data-testid="no-queues">
            No queues yet.
          </p>
        ) : (
          <table className="w-full text-sm" data-testid="queue-list">
            <thead className="text-left text-xs uppercase text-slate-500">
              <tr>
                <th className="py-1">Queue</th>
                <th>Items</th>
                <th>k</th>
                <th>Labels</th>
                <th>Complete items</th>
                <th>Yours</th>
                <th>Mode</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <tr key={q.id} className="border-t border-slate-100" data-testid="queue-row">
                  <td className="py-1.5">
                    <div className="font-medium">{q.name}</div>
                    <div className="text-xs text-slate-500">
                      by {q.createdBy} · {q.assignees.length ? `assigned: ${q.assignees.map((a) => a.name).join(", ")}` : "open to every annotator"}
                    </div>
                  </td>
                  <td className="tabular-nums">{q.itemCount.toLocaleString("en-US")}</td>
                  <td className="tabular-nums">{q.k}</td>
                  <td className="tabular-nums">
                    {q.labels.toLocaleString("en-US")} / {(q.itemCount * q.k).toLocaleString("en-US")}
                  </td>
                  <td className="tabular-nums">{q.complete.toLocaleString("en-US")}</td>
                  <td className="tabular-nums">{q.mine.toLocaleString("en-US")}</td>
                  <td>
                    {q.blind ? <Badge tone="blue">blind</Badge> : <Badge>open</Badge>} {q.status === "closed" ? <Badge tone="amber">closed</Badge> : null}
                  </td>
                  <td className="text-right">
                    {q.status === "open" && (q.assignees.some((a) => a.id === user.id) || (!q.assignees.length && user.role === "annotator")) ? (
                      <Link href={`/queues/${q.id}`} className="rounded-md bg-blue-700 px-3 py-1 text-white hover:bg-blue-800">
                        Annotate
                      </Link>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {manager && options ? (
        <Card title="New queue">
          <CreateQueueForm
            runs={options.runs}
            datasets={options.datasets}
            judges={options.judges}
            people={people}
            browse={browse ? { filter: browse.filter, query: String(sp.browse), errors: browse.errors } : null}
          />
        </Card>
      ) : null}
    </div>
  );
}
