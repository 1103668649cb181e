"use client";
// Grouped bars with 95% error bars. Draws prepared series (lib/results/build.ts chartSeries); a click
// on a bar opens the responses behind it.
import { useRouter } from "next/navigation";
import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ChartDatum } from "@/lib/results/build";

const PALETTE = ["#1d4ed8", "#b45309", "#047857", "#9333ea", "#be123c", "#0e7490", "#4d7c0f", "#c2410c"];

export function RateBarChart({
  data,
  runs,
  yLabel,
  links,
  testId,
}: {
  data: ChartDatum[];
  runs: { id: string; label: string }[];
  yLabel: string;
  /** `${column key}|${run id}` → Browse URL */
  links: Record<string, string>;
  testId?: string;
}) {
  const router = useRouter();
  const crowded = data.length > 6; // slant long subcategory names instead of overlapping them
  return (
    <div className="h-80 w-full" data-testid={testId}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: crowded ? 48 : 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="column" tick={{ fontSize: 12 }} interval={0} angle={crowded ? -30 : 0} textAnchor={crowded ? "end" : "middle"} />
          <YAxis domain={[0, 100]} unit="%" tick={{ fontSize: 12 }} label={{ value: yLabel, angle: -90, position: "insideLeft", fontSize: 12 }} />
          <Tooltip formatter={(v) => (v == null ? "—" : `${v}%`)} />
          <Legend />
          {runs.map((run, i) => (
            <Bar
              key={run.id}
              dataKey={run.id}
              name={run.label}
              fill={PALETTE[i % PALETTE.length]}
              cursor="pointer"
              onClick={(d) => {
                const key = (d as unknown as { payload?: ChartDatum }).payload?.key;
                const href = key ? links[`${key}|${run.id}`] : undefined;
                if (href) router.push(href);
              }}
            >
              <ErrorBar dataKey={`${run.id}:ci`} width={4} strokeWidth={1} stroke="#334155" />
            </Bar>
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
