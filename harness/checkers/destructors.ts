// Destructors: an instance that lives on after its faults ran the destructor of every value the
// faulting frames held, and std's panic state is back at rest. Judged from the guest's own
// counts (`/stats`: `pendingDrops`, counted values whose destructor has not run, and
// `panicking`), not from what the host says: a runtime that stops a panic with a trap and
// reports it as a recoverable PanicError looks right to every other checker, while the frames it
// skipped never unwound. Under `none` nothing is promised (a trap skips destructors), and a
// replaced instance took what it owed with it.
import { snapshot } from "../history/snapshot.ts";
import { faultedIsolate, NO_STATS, num, observed, statsProbes, unobserved, vacuous, verdict, type Checker } from "./verdict.ts";

export const destructors: Checker = (run) => {
  if (run.config.strategy === "none") return vacuous("destructors", "no recovery: a trap skips destructors, and nothing is promised");
  const probes = statsProbes(run, faultedIsolate(run));
  if (!probes) return unobserved("destructors", NO_STATS);
  const [before, after] = probes;
  if (![before, after].every((p) => observed(p, "generation"))) {
    return unobserved("destructors", "the guest's counters do not say which instance answered");
  }
  if (num(after, "generation") !== num(before, "generation")) {
    return vacuous("destructors", "instance replaced: what its frames owed went with it");
  }
  if (![before, after].every((p) => observed(p, "pendingDrops"))) {
    return unobserved("destructors", "the guest's counters do not say which destructors are still owed");
  }
  const owed = num(after, "pendingDrops") - num(before, "pendingDrops");
  // A panic count left raised is what a panic that never reached its catch leaves behind.
  const panicking = snapshot(after).panicking === true && snapshot(before).panicking !== true;
  const problems = [
    owed > 0 ? `${owed} destructor(s) never ran: frames were left without unwinding` : "",
    panicking ? "std still reports a panic in progress" : "",
  ].filter(Boolean).join("; ");
  return verdict("destructors", [...new Set([...(owed > 0 ? [before, after] : []), ...(panicking ? [after] : [])])],
    "instance lived on: every destructor its faults owed ran, panic state at rest",
    (ids) => `${problems}: ${ids}`);
};
