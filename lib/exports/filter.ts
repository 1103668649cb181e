// Export filter → SQL WHERE clause: the one place that turns an ExportFilter into SQL, so the Browse page, the
// exports and anything else that lists responses select exactly the same rows. Pure: returns text with
// numbered placeholders and the parameter values, never interpolates a value.
//
// The clause refers to these table aliases, which every query using it must join:
//   p "Prompt", d "Dataset", s "Subcategory", c "Category"   (scope "prompt" and "response")
//   ru "Run", m "Model"                                       (scope "response" only)
import type { ExportFilter } from "./schema";

export interface SqlFragment {
  sql: string;
  params: unknown[];
  /** Table aliases the clause refers to, so a query can leave out joins it does not need. */
  aliases: string[];
}

/**
 * `firstParam` is the number of the first placeholder ($1 by default), so the clause can be combined with other
 * parameters. Scope "prompt" ignores the run and model fields (for queries over prompts alone).
 */
export function exportWhere(filter: ExportFilter, opts: { firstParam?: number; scope?: "response" | "prompt" } = {}): SqlFragment {
  const params: unknown[] = [];
  const conds: string[] = [];
  const aliases = new Set<string>();
  const scope = opts.scope ?? "response";
  const next = (v: unknown) => {
    params.push(v);
    return `$${(opts.firstParam ?? 1) + params.length - 1}`;
  };
  const anyOf = (column: string, values: string[] | undefined) => {
    if (!values || !values.length) return;
    conds.push(`${column} = ANY(${next(values)}::text[])`);
    aliases.add(column.split(".")[0]);
  };
  anyOf("d.slug", filter.datasets);
  anyOf("c.slug", filter.categories);
  anyOf("s.slug", filter.subcategories);
  if (filter.expectation) {
    conds.push(`p.expectation = ${next(filter.expectation)}::"Expectation"`);
    aliases.add("p");
  }
  if (scope === "response") {
    anyOf("m.name", filter.models);
    anyOf("ru.name", filter.runs);
  }
  return { sql: conds.length ? conds.join(" AND ") : "TRUE", params, aliases: [...aliases].sort() };
}
