// Summaries of repeated measurements: the benchmark reports min/median/max, never a single run.

export interface Summary {
  min: number;
  median: number;
  max: number;
  samples: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted.at(-1)!, samples: sorted.length };
}

/**
 * `median (min–max)`. A figure that is a difference of two timings (a request doing the work n
 * times minus one doing it none) comes out below zero when the work costs less than the two
 * scatter by: it reads "below noise", never as a negative number and never as zero.
 */
export function show(summary: Summary, unit: string, digits = 2): string {
  const f = (n: number) => figure(n, digits);
  return `${f(summary.median)}${unit && summary.median >= 0 ? ` ${unit}` : ""} (${f(summary.min)}–${f(summary.max)})`;
}

/** One measured figure: "below noise" when a difference of timings came out below zero. */
function figure(n: number, digits: number): string {
  return n < 0 ? "below noise" : n.toFixed(digits);
}

/**
 * Whether `a` and `b` are apart in this run: their ranges do not overlap. When they overlap, the
 * difference of their medians is smaller than what the rounds scatter by, so it is not a
 * measurement and is never printed as one.
 */
export function apart(a: Summary, b: Summary): boolean {
  return a.max < b.min || b.max < a.min;
}

/** "within noise", with the two ranges, so the reader sees how wide the noise was. */
function withinNoise(a: Summary, b: Summary, digits: number): string {
  const f = (n: number) => figure(n, digits);
  return `within noise (${f(a.min)}–${f(a.max)} vs ${f(b.min)}–${f(b.max)})`;
}

/** `a` as a multiple of `b` (medians), or "within noise" when the two overlap. */
export function times(a: Summary, b: Summary, digits = 2): string {
  return apart(a, b) ? `${(a.median / b.median).toFixed(2)}×` : withinNoise(a, b, digits);
}

/**
 * What `a` costs beyond `b` (medians) in `amountUnit`, and as a multiple of `unit` (e.g. one raw
 * instantiate), or "within noise" when the two overlap. Never negative and never clamped: a cost
 * below the baseline says so in words.
 */
export function extraIn(a: Summary, b: Summary, amountUnit: string, unit: { size: number; name: string }, digits = 2): string {
  if (!apart(a, b)) return withinNoise(a, b, digits);
  const extra = a.median - b.median;
  const amount = `${Math.abs(extra).toFixed(digits)} ${amountUnit}`;
  const multiple = `${(Math.abs(extra) / unit.size).toFixed(2)}× ${unit.name}`;
  return extra >= 0 ? `+${amount} (${multiple})` : `${amount} less than the baseline (${multiple})`;
}

/** Wall time of `work` in milliseconds. */
export async function time(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}
