// Classification: the fault request failed with a class the strategy allows, and siblings that
// had to fail fast failed as StaleInstance.
import { expectationOf, faultedIsolate, faultRecord, verdict, type Checker } from "./verdict.ts";

export const classification: Checker = (run) => {
  const expectation = expectationOf(run);
  const fault = faultRecord(run);
  const outcome = fault.status === 200 ? "ok" : fault.errorClass;
  const broken = expectation.fault.includes(outcome as never) ? [] : [fault];
  if (expectation.inflight === "fail-fast") {
    broken.push(...run.records.filter((r) => r.role === "inflight" && r.isolate === faultedIsolate(run) && r.errorClass !== "StaleInstance"));
  }
  return verdict("classification", broken,
    `fault ended as ${outcome}${expectation.inflight === "fail-fast" ? ", in-flight siblings as StaleInstance" : ""}`,
    (ids) => `fault ended as ${outcome} (allowed: ${expectation.fault.join(", ")}); wrong classes in ${ids}`);
};
