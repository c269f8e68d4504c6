// Classification: the fault request failed with a class the strategy allows, and siblings that
// had to fail fast failed as StaleInstance.
import { expectationOf, faultedIsolate, faultRecord, verdict, type Checker } from "./verdict.ts";

export const classification: Checker = (run) => {
  const expectation = expectationOf(run);
  const fault = faultRecord(run);
  const outcome = fault.status === 200 ? "ok" : fault.errorClass;
  const wrongFault = expectation.fault.includes(outcome as never) ? [] : [fault];
  const wrongSiblings = expectation.inflight === "fail-fast"
    ? run.records.filter((r) => r.role === "inflight" && r.isolate === faultedIsolate(run) && r.errorClass !== "StaleInstance")
    : [];
  const problems = [
    wrongFault.length ? `fault ended as ${outcome}, allowed: ${expectation.fault.join(", ")}` : "",
    wrongSiblings.length ? `${wrongSiblings.length} in-flight sibling(s) did not fail as StaleInstance` : "",
  ].filter(Boolean).join("; ");
  return verdict("classification", [...wrongFault, ...wrongSiblings],
    `fault ended as ${outcome}${expectation.inflight === "fail-fast" ? ", in-flight siblings as StaleInstance" : ""}`,
    (ids) => `${problems}: ${ids}`);
};
