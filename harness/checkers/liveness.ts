// Liveness: every operation answered before its deadline, and siblings that had to fail fast
// did so at the fault, not when released: the release found none of them still parked.
import { expectationOf, faultedIsolate, num, verdict, type Checker } from "./verdict.ts";

export const liveness: Checker = (run) => {
  const hung = run.records.filter((r) => r.status === "timeout" || r.status === "unreachable");
  const release = run.records.find((r) => r.kind === "release" && r.isolate === faultedIsolate(run));
  const stillParked = expectationOf(run).inflight === "fail-fast" && release && num(release, "released") > 0 ? [release] : [];
  return verdict("liveness", [...hung, ...stillParked], "every operation answered in time; failing siblings failed fast",
    (ids) => `${hung.length} operation(s) hung or got no answer; ${stillParked.length ? `${num(release!, "released")} sibling(s) still parked after the fault; ` : ""}${ids}`);
};
