// Liveness: every operation answered before its deadline, and siblings that had to fail fast
// did so at the fault: the release found none of them still parked, and each ended soon after
// the fault's own answer (failFastMargin; a second late is not fast). A `resume` fault strikes
// as the release wakes everyone, so that release finds them all parked by design.
import { RECEIVE_MS_PER_SIBLING } from "../history/scenario.ts";
import { expectationOf, faultedIsolate, faultRecords, num, verdict, type Checker } from "./verdict.ts";

/** How long after the fault's answer a sibling of the dead instance may still end. */
export const FAIL_FAST_MARGIN_MS = 1_000;

export function failFastMargin(inflight: number): number {
  return FAIL_FAST_MARGIN_MS + RECEIVE_MS_PER_SIBLING * inflight;
}

export const liveness: Checker = (run) => {
  const hung = run.records.filter((r) => r.status === "timeout" || r.status === "unreachable");
  const faults = faultRecords(run);
  const hungFaults = hung.filter((r) => faults.includes(r));
  const failFast = expectationOf(run).inflight === "fail-fast";
  const release = run.records.find((r) => r.kind === "release" && r.isolate === faultedIsolate(run));
  const stillParked = failFast && run.scenario.fault.place !== "resume" && release && num(release, "released") > 0 ? [release] : [];
  const fault = faults[0];
  const dying = run.records.filter((r) => r.role === "inflight" && r.isolate === faultedIsolate(run));
  const margin = failFastMargin(dying.length);
  const late = failFast && fault ? dying.filter((r) => !hung.includes(r) && r.end > fault.end + margin) : [];
  const problems = [
    hungFaults.length ? `${hungFaults.length} fault(s) never answered` : "",
    hung.length > hungFaults.length ? `${hung.length - hungFaults.length} operation(s) hung or got no answer` : "",
    stillParked.length ? `${num(release!, "released")} sibling(s) still parked after the fault` : "",
    late.length ? `${late.length} sibling(s) of the dead instance ended more than ${margin} ms after the fault` : "",
  ].filter(Boolean).join("; ");
  return verdict("liveness", [...hung, ...stillParked, ...late], "every operation answered in time; failing siblings failed fast",
    (ids) => `${problems}: ${ids}`);
};
