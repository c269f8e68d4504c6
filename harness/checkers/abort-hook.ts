// Abort hook: on_abort ran exactly once per abort in the faulted isolate, and never otherwise.
import { expectedResets, faultedIsolate, infoProbes, num, verdict, type Checker } from "./verdict.ts";

export const abortHook: Checker = (run) => {
  const [before, after] = infoProbes(run, faultedIsolate(run));
  const runs = num(after, "abortHookRuns") - num(before, "abortHookRuns");
  const expected = expectedResets(run);
  return verdict("abort-hook", runs === expected ? [] : [before, after], `on_abort ran ${runs} time(s)`,
    (ids) => `on_abort ran ${runs} time(s), expected ${expected}: ${ids}`);
};
