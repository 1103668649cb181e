"use client";
// The TanStack Table (v9) shell shared by every table: semantic markup, sticky header, empty state.
import { createColumnHelper, tableFeatures, useTable, type ColumnDef, type RowData } from "@tanstack/react-table";

export const basicFeatures = tableFeatures({});
export type BasicFeatures = typeof basicFeatures;

export function columnHelper<T extends RowData>() {
  return createColumnHelper<BasicFeatures, T>();
}

export function DataTable<T extends RowData>({
  columns,
  data,
  caption,
  empty = "Nothing here yet.",
  getRowId,
  testId,
}: {
  columns: ColumnDef<BasicFeatures, T, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  data: T[];
  caption?: string;
  empty?: string;
  getRowId?: (row: T) => string;
  testId?: string;
}) {
  const table = useTable({ features: basicFeatures, columns, data, getRowId });
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm" data-testid={testId}>
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        <thead className="bg-slate-100 text-left text-xs uppercase tracking-wide text-slate-600">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col" className="px-3 py-2 font-semibold">
                  {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-slate-100">
          {table.getRowModel().rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="px-3 py-6 text-center text-slate-500">
                {empty}
              </td>
            </tr>
          ) : (
            table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="hover:bg-slate-50">
                {row.getAllCells().map((cell) => (
                  <td key={cell.id} className="px-3 py-2 align-top">
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
