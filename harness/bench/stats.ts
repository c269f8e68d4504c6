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

export function show(summary: Summary, unit: string, digits = 2): string {
  const f = (n: number) => n.toFixed(digits);
  return `${f(summary.median)}${unit ? ` ${unit}` : ""} (${f(summary.min)}–${f(summary.max)})`;
}

/** Wall time of `work` in milliseconds. */
export async function time(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}
