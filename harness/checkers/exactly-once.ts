// Exactly once: a fault request runs once: never retried in the instance that survived it, never
// replayed in the one that replaced it. Judged from the guest's own count of the fault requests
// it began to execute (`/stats`: `faults`), read with its memory's own number (`instance`)
// before and after the run:
// - the same memory throughout: it ran every fault of the run, so its count moved by at most
//   the faults sent, and at least by those whose answer came from inside the guest;
// - a new memory by the end: when every fault was due to take its instance with it, each ran in
//   a memory that is gone, and the new one must have run none; otherwise it may have run at most
//   the faults sent.
import { expectedResets, faultedIsolate, faultRecords, NO_STATS, num, observed, statsProbes, unobserved, verdict, type Checker } from "./verdict.ts";
import { answered } from "../history/record.ts";

/** Failures only the guest itself can produce: a panic, or a JS error thrown through its frames. */
const RAN_INSIDE: readonly string[] = ["PanicError", "JsError"];

export const exactlyOnce: Checker = (run) => {
  const probes = statsProbes(run, faultedIsolate(run));
  if (!probes) return unobserved("exactly-once", NO_STATS);
  const [before, after] = probes;
  if (![before, after].every((p) => observed(p, "faults") && observed(p, "instance"))) {
    return unobserved("exactly-once", "the guest does not count the fault requests it executed");
  }
  const sent = faultRecords(run).length;
  if (num(after, "instance") === num(before, "instance")) {
    const ran = num(after, "faults") - num(before, "faults");
    const inside = faultRecords(run).filter((r) => answered(r) || RAN_INSIDE.includes(r.errorClass ?? "")).length;
    return verdict("exactly-once", ran <= sent && ran >= inside ? [] : [before, after],
      `the instance ran ${ran} of the ${sent} fault request(s) sent, each once`,
      (ids) => `the instance ran ${ran} fault request(s) for ${sent} sent${ran > sent ? ": some ran more than once" : `, though ${inside} answered from inside it`}: ${ids}`);
  }
  const ran = num(after, "faults");
  const limit = expectedResets(run) ? 0 : sent;
  return verdict("exactly-once", ran <= limit ? [] : [before, after],
    ran ? `the memory that replaced the faulted one ran ${ran} of the ${sent} fault request(s) sent` : "each fault went with the memory it ran in; none ran again after it",
    (ids) => `the memory that replaced the faulted one ran ${ran} fault request(s)${limit ? ` for ${sent} sent` : ", though every fault took its memory with it"}: ${ids}`);
};
