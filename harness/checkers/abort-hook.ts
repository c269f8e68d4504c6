// Abort hook: on_abort ran exactly once per abort in the faulted isolate, and never otherwise.
import { expectedResets, faultedIsolate, infoProbes, NO_PROBES, num, observed, unobserved, verdict, type Checker } from "./verdict.ts";

export const abortHook: Checker = (run) => {
  const probes = infoProbes(run, faultedIsolate(run));
  if (!probes) return unobserved("abort-hook", NO_PROBES);
  const [before, after] = probes;
  if (!observed(before, "abortHookRuns") || !observed(after, "abortHookRuns")) {
    return unobserved("abort-hook", "the runtime's probes do not say how often its abort hook ran");
  }
  const runs = num(after, "abortHookRuns") - num(before, "abortHookRuns");
  const expected = expectedResets(run);
  return verdict("abort-hook", runs === expected ? [] : [before, after], `on_abort ran ${runs} time(s)`,
    (ids) => `on_abort ran ${runs} time(s), expected ${expected}: ${ids}`);
};
