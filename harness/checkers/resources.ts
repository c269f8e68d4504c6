// Resources return to rest: once a run is over, nothing it started is still held. In every
// isolate the in-flight task table and the parking lot are empty, and linear memory is within a
// bound. An isolate whose instance was left without recovery (`none`) is promised nothing.
//
// The memory bound. Linear memory never shrinks, so at rest it is the high-water mark of what
// the instance ever held at once. A run may raise it by what its own requests held at the same
// time: the most of the isolate's records in flight at one instant, each allowed one Wasm page
// (64 KiB). A parked sibling, the largest request of the catalog, holds 17.6 KB of linear memory
// in both canaries (README, Performance): the page is 3.7 times that. What faults leave behind
// grows with their number instead (a storm runs hundreds, one at a time), so it cannot hide in
// an allowance that grows only with concurrency. A reset loosens nothing: a new instance starts
// at the module's initial memory, no more than any instance of it already holds, so the memory
// before the run bounds the new instance's start too.
import type { ScenarioRun } from "../history/run.ts";
import type { HistoryRecord, Isolate } from "../history/record.ts";
import { expectationOf, faultedIsolate, NO_PROBES, num, observed, unobserved, vacuous, verdict, type Checker } from "./verdict.ts";

/** Bytes of linear memory a run may add per request it had in flight at once: one Wasm page. */
export const MEMORY_PER_REQUEST = 65_536;

/** What must be back to none at rest, and how to name what was left. */
const AT_REST = [
  { field: "inFlight", left: "in-flight task(s)", unseen: "its in-flight task table" },
  { field: "parked", left: "parked request(s)", unseen: "its parked requests" },
] as const;

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

const infoOf = (run: ScenarioRun, isolate: Isolate) => run.records.filter((r) => r.role === "probe" && r.kind === "info" && r.isolate === isolate);

export const resources: Checker = (run) => {
  const poisoned = expectationOf(run).later === "poisoned";
  const isolates: Isolate[] = (run.config.topology === "split" ? ["handler", "objects"] as const : ["handler"] as const)
    .filter((isolate) => !(poisoned && isolate === faultedIsolate(run)));
  if (!isolates.length) return vacuous("resources", "no recovery: nothing is promised about the instance's resources");
  const broken: HistoryRecord[] = [];
  const problems: string[] = [];
  const unseen = new Set<string>();
  const bounds: string[] = [];
  for (const isolate of isolates) {
    const probes = infoOf(run, isolate);
    const [before, after] = [probes[0], probes.at(-1)];
    if (!before || !after || before === after) {
      unseen.add(NO_PROBES);
      continue;
    }
    for (const { field, left, unseen: what } of AT_REST) {
      if (!observed(after, field)) unseen.add(`the runtime does not report ${what}`);
      else if (num(after, field) !== 0) {
        broken.push(after);
        problems.push(`${isolate}: ${num(after, field)} ${left} still held at rest`);
      }
    }
    if (!observed(before, "memoryBytes") || !observed(after, "memoryBytes")) {
      unseen.add("the runtime does not report its linear memory");
      continue;
    }
    const peak = peakInFlight(run.records, isolate);
    const bound = num(before, "memoryBytes") + peak * MEMORY_PER_REQUEST;
    bounds.push(`${isolate} ${num(after, "memoryBytes")} ≤ ${bound} B`);
    if (num(after, "memoryBytes") > bound) {
      broken.push(before, after);
      problems.push(`${isolate}: linear memory ${num(after, "memoryBytes")} B, over ${bound} B (${num(before, "memoryBytes")} B before + 64 KiB for each of ${peak} requests in flight at once)`);
    }
  }
  if (!broken.length && unseen.size) return unobserved("resources", [...unseen].join("; "));
  return verdict("resources", [...new Set(broken)].sort((a, b) => a.id - b.id),
    `nothing left in flight or parked; linear memory within its bound (${bounds.join(", ")})`,
    (ids) => `${problems.join("; ")}: ${ids}`);
};
