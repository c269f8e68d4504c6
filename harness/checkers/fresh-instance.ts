// Fresh instance: a reset really replaces the instance, and nothing else does. Judged from the
// guest's own number for its linear memory (`/stats`: `instance`), which a memory takes once,
// at its first start, and keeps: only a new memory shows a new number. The host's generation
// says how many instances the host believes it made; a runtime that moves that counter but
// keeps the old instance (or hands its memory on) looks right to every checker that trusts it.
import { expectedResets, faultedIsolate, NO_STATS, num, observed, statsProbes, unobserved, verdict, type Checker } from "./verdict.ts";

export const freshInstance: Checker = (run) => {
  const probes = statsProbes(run, faultedIsolate(run));
  if (!probes) return unobserved("fresh-instance", NO_STATS);
  const [before, after] = probes;
  if (!observed(before, "instance") || !observed(after, "instance")) {
    return unobserved("fresh-instance", "the guest does not report its own number for its memory");
  }
  const fresh = num(after, "instance") - num(before, "instance");
  const expected = expectedResets(run);
  const memories = `${fresh} new memor${fresh === 1 ? "y" : "ies"} by the guest's own count`;
  const why = fresh < expected ? "a reset kept the old memory" : "the memory was replaced more often than the instance was reset";
  return verdict("fresh-instance", fresh === expected ? [] : [before, after],
    expected ? `${expected} reset(s), ${memories}` : "no reset, and the guest kept its memory",
    (ids) => `${expected} reset(s) but ${memories}: ${why}: ${ids}`);
};
