// Abort hook: on_abort ran exactly once per abort in the faulted isolate, and never otherwise.
// Judged from what the guest says, not from the host's count at the one place the host runs the
// hook (a run from anywhere else would not show there): the reinit requests the guest's hook
// made, and the guest's own count of hook runs. A reset wipes the guest's memory, so each
// request carries that count out of it (the reference runtime keeps, per memory, the highest).
import { expectedResets, faultedIsolate, infoProbes, NO_PROBES, num, observed, unobserved, verdict, type Checker } from "./verdict.ts";

const FIELDS = ["guestAbortHookRuns", "reinitRequests"] as const;

export const abortHook: Checker = (run) => {
  const probes = infoProbes(run, faultedIsolate(run));
  if (!probes) return unobserved("abort-hook", NO_PROBES);
  const [before, after] = probes;
  if (![before, after].every((p) => FIELDS.every((field) => observed(p, field)))) {
    return unobserved("abort-hook", "the runtime's probes do not say how often the guest's abort hook ran and asked for a reinit");
  }
  const runs = num(after, "guestAbortHookRuns") - num(before, "guestAbortHookRuns");
  const requests = num(after, "reinitRequests") - num(before, "reinitRequests");
  const expected = expectedResets(run);
  const seen = `on_abort ran ${runs} time(s) by the guest's count and asked for ${requests} reinit(s)`;
  return verdict("abort-hook", runs === expected && requests === expected ? [] : [before, after], seen,
    (ids) => `${seen}, expected ${expected} of each: ${ids}`);
};
