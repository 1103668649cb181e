import type { Metadata } from "next";
import Link from "next/link";
import { requirePage } from "@/lib/auth/session";
import { getBrowsePage } from "@/lib/browse/data";
import { browseHref, parseBrowseParams } from "@/lib/browse/schema";
import { getOpenedDb } from "@/lib/db";
import { BrowseFilters } from "./_components/browse-filters";
import { BrowseTable } from "./_components/browse-table";
import { ExportLinks } from "./_components/export-links";
import { SelectionActions } from "./_components/selection-actions";

export const metadata: Metadata = { title: "Browse" };
export const dynamic = "force-dynamic";

export default async function BrowsePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage("/browse");
  const { filter, errors } = parseBrowseParams(await searchParams);
  const { options, page, total } = await getBrowsePage(await getOpenedDb(), filter);
  const { after: _after, ...withoutCursor } = filter;
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Browse</h1>
        <p className="text-sm text-slate-600">
          Every response with its labels. Filters live in the address bar: share the link, and the back button works.
        </p>
      </div>
      {errors.length ? (
        <ul role="alert" className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900" data-testid="filter-errors">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      ) : null}
      <BrowseFilters filter={filter} options={options} />
      <p className="text-sm text-slate-700">
        {/* A capped count is a proven lower bound: counting every match would be slower than the page. */}
        {total.capped ? "≥ " : ""}
        <span data-testid="browse-total">{total.n.toLocaleString("en-US")}</span> matching responses
        {total.capped ? <span className="text-slate-500"> ({total.basis ?? "counting stops there"})</span> : null}
        {filter.after ? (
          <>
            {" "}
            · <Link href={browseHref(withoutCursor)} className="text-blue-700 underline">back to the first page</Link>
          </>
        ) : null}
      </p>
      <ExportLinks filter={withoutCursor} />
      <SelectionActions filter={withoutCursor} />
      <BrowseTable rows={page.items} />
      <nav aria-label="Pages" className="flex justify-end">
        {page.nextCursor ? (
          <Link href={browseHref({ ...filter, after: page.nextCursor })} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100" data-testid="next-page">
            Next {50} →
          </Link>
        ) : (
          <span className="text-sm text-slate-500">End of results</span>
        )}
      </nav>
    </div>
  );
}
