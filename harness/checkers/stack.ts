// Stack: an instance that lives on (no reset) is back at its resting shadow-stack pointer
// after the fault; a drift means unwinds leak stack and a storm will end in a memory fault.
import { expectationOf, faultedIsolate, infoProbes, NO_PROBES, num, observed, unobserved, vacuous, verdict, type Checker } from "./verdict.ts";

export const stack: Checker = (run) => {
  if (expectationOf(run).reset || run.config.strategy === "none") {
    return vacuous("stack", "instance replaced or unrecovered; resting stack not compared");
  }
  const probes = infoProbes(run, faultedIsolate(run));
  if (!probes) return unobserved("stack", NO_PROBES);
  const [before, after] = probes;
  if (!observed(before, "stackPointer") || !observed(after, "stackPointer")) {
    return unobserved("stack", "the runtime's probes do not report a shadow-stack pointer");
  }
  const drift = num(before, "stackPointer") - num(after, "stackPointer");
  return verdict("stack", drift === 0 ? [] : [before, after], "shadow stack back at its resting pointer",
    (ids) => `shadow stack pointer drifted by ${drift} bytes: ${ids}`);
};
