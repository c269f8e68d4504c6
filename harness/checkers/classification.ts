// Classification: the fault request failed with a class the strategy allows, and siblings that
// had to fail fast failed as StaleInstance.
import { answered, type HistoryRecord } from "../history/record.ts";
import { expectationOf, faultedIsolate, faultRecords, verdict, type Checker } from "./verdict.ts";

export const classification: Checker = (run) => {
  const expectation = expectationOf(run);
  // A fault with no class did not answer: its status (timeout, unreachable) is its outcome.
  const outcomeOf = (r: HistoryRecord) => (answered(r) ? "ok" : r.errorClass ?? String(r.status));
  const faults = faultRecords(run);
  const wrongFault = faults.filter((r) => !expectation.fault.includes(outcomeOf(r) as never));
  const outcome = [...new Set((wrongFault.length ? wrongFault : faults).map(outcomeOf))].join("/");
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
