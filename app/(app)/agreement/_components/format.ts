// Number formats of the Agreement page.
export const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);
export const coef = (x: number | null) => (x === null ? "—" : x.toFixed(2));
export function duration(ms: number | null): string {
  if (ms === null) return "—";
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
}
