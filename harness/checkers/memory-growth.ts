// Memory growth: what a run leaves behind in memory is bounded by what it held at once, never by
// how many faults it ran. Each isolate recovery promises anything about is measured at rest,
// before and after the run, two ways:
//
// - Linear memory never shrinks, so at rest it is the high-water mark of what the instance ever
//   held at once. A run may raise it by one Wasm page (64 KiB) per request it had in flight at
//   the same instant. A parked sibling, the largest request of the catalog, holds 17.6 KB of
//   linear memory in both canaries (docs/performance.md): the page is 3.7 times that.
// - The live heap (bytes the guest's allocator handed out and has not had back) returns to
//   what it was, up to 1 KiB per request in flight at once or sent to set the run up: the
//   capacity a table or queue keeps after its busiest moment, and what setup creates to stay
//   (handles, Durable Objects). It sees what pages cannot: a leak of a few hundred bytes per
//   fault that the allocator's free space absorbs, such as a future whose poll unwound and that
//   nothing freed (wasm-bindgen #5214).
//
// Faults run one at a time (a storm runs hundreds), so what each one leaves behind adds up past
// allowances that grow only with concurrency. A reset loosens nothing: a new instance starts at
// the module's initial memory and an empty heap, no more than the instance before held.
import type { ScenarioRun } from "../history/run.ts";
import type { HistoryRecord, Isolate } from "../history/record.ts";
import type { SnapshotField } from "../history/snapshot.ts";
import { faultedIsolate, faultRecords, infoProbes, NO_PROBES, num, observed, recoveredIsolates, unobserved, vacuous, verdict, type Checker } from "./verdict.ts";

/** Bytes of linear memory a run may add per request it had in flight at once: one Wasm page. */
export const MEMORY_PER_REQUEST = 65_536;
/** Bytes of live heap a run may leave per request in flight at once or sent to set it up. */
export const HEAP_PER_REQUEST = 1_024;

/**
 * The most of `isolate`'s records in flight at one instant. One that ends when another starts
 * does not overlap it.
 */
export function peakInFlight(records: readonly HistoryRecord[], isolate: Isolate): number {
  const events = records.filter((r) => r.isolate === isolate).flatMap((r) => [[r.start, 1], [r.end, -1]] as const);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, step] of events) peak = Math.max(peak, (now += step));
  return peak;
}

interface Measure {
  field: SnapshotField;
  what: string;
  perRequest: number;
  /** How many requests the allowance counts, beyond the peak in flight. */
  extra: (run: ScenarioRun, isolate: Isolate) => number;
  allowance: string;
}

const MEASURES: readonly Measure[] = [
  { field: "memoryBytes", what: "linear memory", perRequest: MEMORY_PER_REQUEST, extra: () => 0, allowance: "64 KiB for each of {n} requests in flight at once" },
  {
    field: "heapBytes", what: "live heap", perRequest: HEAP_PER_REQUEST,
    extra: (run, isolate) => run.records.filter((r) => r.role === "setup" && r.isolate === isolate).length,
    allowance: "1 KiB for each of {n} requests in flight at once or setting up",
  },
];

/**
 * How much `field` (`heapBytes` or `memoryBytes`) grew per fault over the run, in the isolate
 * the faults ran in: what a leak costs each fault, where the verdict only says a bound was
 * passed. Undefined when the run has no faults or that isolate did not report it before and after.
 */
export function growthPerFault(run: ScenarioRun, field: "heapBytes" | "memoryBytes"): number | undefined {
  const faults = faultRecords(run).length;
  if (!faults) return undefined;
  const probes = infoProbes(run, faultedIsolate(run));
  if (!probes || probes[0] === probes[1] || !observed(probes[0], field) || !observed(probes[1], field)) return undefined;
  return (num(probes[1], field) - num(probes[0], field)) / faults;
}

export const memoryGrowth: Checker = (run) => {
  const isolates = recoveredIsolates(run);
  if (!isolates.length) return vacuous("memory-growth", "no recovery: nothing is promised about the instance's memory");
  const broken: HistoryRecord[] = [];
  const problems: string[] = [];
  const unseen = new Set<string>();
  const bounds: string[] = [];
  for (const isolate of isolates) {
    const probes = infoProbes(run, isolate);
    if (!probes || probes[0] === probes[1]) {
      unseen.add(NO_PROBES);
      continue;
    }
    const [before, after] = probes;
    const peak = peakInFlight(run.records, isolate);
    for (const { field, what, perRequest, extra, allowance } of MEASURES) {
      if (!observed(before, field) || !observed(after, field)) {
        unseen.add(`the runtime does not report its ${what}`);
        continue;
      }
      const requests = peak + extra(run, isolate);
      const bound = num(before, field) + requests * perRequest;
      bounds.push(`${isolate} ${what} ${num(after, field)} ≤ ${bound} B`);
      if (num(after, field) > bound) {
        broken.push(before, after);
        problems.push(`${isolate}: ${what} ${num(after, field)} B, over ${bound} B (${num(before, field)} B before + ${allowance.replace("{n}", String(requests))})`);
      }
    }
  }
  if (!broken.length && unseen.size) return unobserved("memory-growth", [...unseen].join("; "));
  return verdict("memory-growth", [...new Set(broken)].sort((a, b) => a.id - b.id),
    `within its bounds: ${bounds.join(", ")}`,
    (ids) => `${problems.join("; ")}: ${ids}`);
};
