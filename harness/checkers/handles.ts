// Handles: Rust objects handed to JS before the fault read back intact when their instance
// lived on, and are refused as StaleObject after it was reset: never a pointer into new memory.
import { expectedResets, faultedIsolate, verdict, type Checker } from "./verdict.ts";
import { answered } from "../history/record.ts";

export const handles: Checker = (run) => {
  const reads = run.records.filter((r) => r.kind === "handle-read");
  const reset = expectedResets(run) > 0 && faultedIsolate(run) === "handler";
  const broken = reads.filter((r) => (reset ? r.errorClass !== "StaleObject" : !answered(r) || r.integrity !== "ok"));
  return verdict("handles", broken,
    reads.length ? `${reads.length} handle(s) ${reset ? "refused as StaleObject after the reset" : "read back intact"}` : "no handles in this scenario",
    (ids) => `handles from before the fault ${reset ? "were not refused as StaleObject" : "did not read back intact"}: ${ids}`);
};
