import type { BrowseOptions } from "@/lib/browse/data";
import type { BrowseFilter } from "@/lib/browse/schema";

const VERDICTS = ["complied", "noncompliant", "partial", "unclear"];

function Select({ name, label, value, options }: { name: string; label: string; value?: string; options: { value: string; label: string }[] }) {
  return (
    <label className="flex flex-col text-xs font-medium text-slate-700">
      {label}
      <select name={name} defaultValue={value ?? ""} className="mt-1 rounded border border-slate-300 bg-white px-2 py-1 text-sm font-normal">
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A plain GET form: applying filters changes the URL, so results are shareable and history works. */
export function BrowseFilters({ filter, options }: { filter: BrowseFilter; options: BrowseOptions }) {
  const v = VERDICTS.map((x) => ({ value: x, label: x }));
  return (
    <form method="get" aria-label="Filters" className="grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-3 md:grid-cols-4 lg:grid-cols-6">
      <label className="col-span-2 flex flex-col text-xs font-medium text-slate-700">
        Text in prompt or response
        <input name="q" defaultValue={filter.q ?? ""} className="mt-1 rounded border border-slate-300 px-2 py-1 text-sm font-normal" />
      </label>
      <Select name="dataset" label="Dataset" value={filter.dataset} options={options.datasets.map((d) => ({ value: d.id, label: d.name }))} />
      <Select name="run" label="Model / run" value={filter.run} options={options.runs.map((r) => ({ value: r.id, label: r.label }))} />
      <Select name="category" label="Category" value={filter.category} options={options.categories.map((c) => ({ value: c.slug, label: c.name }))} />
      <Select
        name="subcategory"
        label="Subcategory"
        value={filter.subcategory}
        options={options.categories.flatMap((c) => c.subcategories.map((s) => ({ value: s.id, label: `${c.name}: ${s.name}` })))}
      />
      <Select
        name="expectation"
        label="Expectation"
        value={filter.expectation}
        options={[
          { value: "should_not_comply", label: "should not comply" },
          { value: "should_comply", label: "should comply" },
        ]}
      />
      <Select
        name="source"
        label="Label source"
        value={filter.source}
        options={[
          { value: "best", label: "best available" },
          { value: "judge", label: "judge only" },
          { value: "adjudicated", label: "adjudicated only" },
        ]}
      />
      <Select name="judge" label="Judge version" value={filter.judge} options={options.judges.map((j) => ({ value: j.id, label: j.label }))} />
      <Select name="judgeVerdict" label="Judge verdict" value={filter.judgeVerdict} options={v} />
      <Select name="humanVerdict" label="Any human label" value={filter.humanVerdict} options={v} />
      <Select name="finalVerdict" label="Final verdict" value={filter.finalVerdict} options={v} />
      <Select name="annotator" label="Annotator" value={filter.annotator} options={options.annotators.map((a) => ({ value: a.id, label: a.name }))} />
      <Select name="disagree" label="Judge ≠ human" value={filter.disagree} options={[{ value: "1", label: "disagree" }]} />
      <Select name="labelled" label="Labelled" value={filter.labelled} options={[{ value: "1", label: "has a verdict" }]} />
      <Select
        name="sort"
        label="Order"
        value={filter.sort}
        options={[
          { value: "newest", label: "newest first" },
          { value: "oldest", label: "oldest first" },
        ]}
      />
      <div className="flex items-end gap-2">
        <button type="submit" className="rounded-md bg-blue-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-800">
          Apply
        </button>
        <a href="/browse" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">
          Clear
        </a>
      </div>
    </form>
  );
}
