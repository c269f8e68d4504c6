// Resources return to rest: once a run is over, nothing it started is still held. In every
// isolate the in-flight task table and the parking lot are empty. An isolate whose instance was
// left without recovery (`none`) is promised nothing. What a run leaves in memory is the
// memory-growth checker's.
import type { HistoryRecord } from "../history/record.ts";
import { infoProbes, NO_PROBES, num, observed, recoveredIsolates, unobserved, vacuous, verdict, type Checker } from "./verdict.ts";

/** What must be back to none at rest, and how to name what was left. */
const AT_REST = [
  { field: "inFlight", left: "in-flight task(s)", unseen: "its in-flight task table" },
  { field: "parked", left: "parked request(s)", unseen: "its parked requests" },
] as const;

export const resources: Checker = (run) => {
  const isolates = recoveredIsolates(run);
  if (!isolates.length) return vacuous("resources", "no recovery: nothing is promised about the instance's resources");
  const broken: HistoryRecord[] = [];
  const problems: string[] = [];
  const unseen = new Set<string>();
  for (const isolate of isolates) {
    const probes = infoProbes(run, isolate);
    if (!probes || probes[0] === probes[1]) {
      unseen.add(NO_PROBES);
      continue;
    }
    const after = probes[1];
    for (const { field, left, unseen: what } of AT_REST) {
      if (!observed(after, field)) unseen.add(`the runtime does not report ${what}`);
      else if (num(after, field) !== 0) {
        broken.push(after);
        problems.push(`${isolate}: ${num(after, field)} ${left} still held at rest`);
      }
    }
  }
  if (!broken.length && unseen.size) return unobserved("resources", [...unseen].join("; "));
  return verdict("resources", [...new Set(broken)].sort((a, b) => a.id - b.id),
    "nothing left in flight or parked",
    (ids) => `${problems.join("; ")}: ${ids}`);
};
