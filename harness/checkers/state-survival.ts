// State survival (Durable Object): every acknowledged write is stored exactly once, and the
// in-memory count holds exactly what reached the instance that reports it: kept unless the
// object's isolate was reset, and then started again from zero.
//
// Judged from counts, so it holds for the canary (reads are separate from writes) and for a
// profile's counter, where every request is a write: a state read reports the counts after
// its own write, if it made one. Each read's count is pinned between what certainly reached it
// and what may have: a write acknowledged before the read began must be in it, one begun after
// it ended cannot be, and one in between (or whose answer was lost) may be, once. The in-memory
// count may also move with requests that are not writes (the reference canary's parks count
// themselves; a panicking counter may count before it panics), so those may add one each.
import { answered, type HistoryRecord } from "../history/record.ts";
import { expectationOf, faultRecords, num, objectReset, observed, unobserved, vacuous, verdict, type Checker } from "./verdict.ts";

const OBJECT_KINDS = new Set(["object-increment", "object-state", "object-park"]);
const wrote = (r: HistoryRecord) => r.kind === "object-increment" || r.body?.wrote === true;
const own = (r: HistoryRecord) => (wrote(r) ? 1 : 0);

export const stateSurvival: Checker = (run) => {
  if (!run.object) return vacuous("state", "no Durable Object in this scenario");
  const onObject = run.records.filter((r) => OBJECT_KINDS.has(r.kind));
  const states = onObject.filter((r) => r.kind === "object-state");
  if (states.length < 3) return unobserved("state", "the run has no reads of the object before and after the fault");
  const [before, afterFault, final] = states as [HistoryRecord, HistoryRecord, HistoryRecord];
  const poisoned = expectationOf(run).later === "poisoned";
  const unreadable = [afterFault, final].filter((r) => !answered(r));
  // A read that answered without counts (a body the client could not parse) shows nothing.
  if ([before, afterFault, final].filter(answered).some((r) => !observed(r, "memory") || !observed(r, "stored"))) {
    return unobserved("state", "the object's reads answered without in-memory and stored counts");
  }
  if (unreadable.length && poisoned) {
    return vacuous("state", "object unreadable through the poisoned instance (no recovery); storage not checked");
  }
  const reset = objectReset(run);
  // Writes after the first read: the counts it reported are the baseline.
  const writes = onObject.filter((r) => wrote(r) && r.start >= before.end);
  const storedWrong = (read: HistoryRecord) => {
    const others = writes.filter((w) => w !== read);
    const surely = others.filter((w) => answered(w) && w.end <= read.start).length;
    const maybe = others.filter((w) => w.start <= read.end).length;
    const stored = num(read, "stored") - num(before, "stored") - own(read);
    return stored < surely || stored > maybe;
  };
  const faults = faultRecords(run);
  const lastFault = faults.at(-1)!;
  // A fault on the object counts only where its instance lives on: a reset took its memory.
  const onObjectFaults = run.scenario.fault.place === "durable-object" && !reset ? faults : [];
  const movers = [...onObject.filter((r) => wrote(r) || r.kind === "object-park"), ...onObjectFaults];
  const memoryWrong = (read: HistoryRecord) => {
    const begun = movers.filter((m) => m !== read && m.start <= read.end);
    // After a reset the count starts from zero in the new instance: what was answered before the
    // fault began stayed in the old one, and so did every park in flight (the barrier held each
    // inside the old instance before the fault was sent); only what began after the fault ended
    // surely reached the new one. Without a reset it goes on from the first read's count.
    const old = (m: HistoryRecord) => (answered(m) && m.end <= lastFault.start) || (m.kind === "object-park" && m.role === "inflight");
    const maybe = reset ? begun.filter((m) => !old(m)) : begun.filter((m) => m.start >= before.end);
    const surely = maybe.filter((m) => wrote(m) && answered(m) && m.end <= read.start && (!reset || m.start >= lastFault.end)).length;
    const memory = num(read, "memory") - own(read) - (reset ? 0 : num(before, "memory"));
    return memory < surely || memory > maybe.length;
  };
  const broken: HistoryRecord[] = [...unreadable];
  if (!unreadable.length) {
    broken.push(...[afterFault, final].filter(storedWrong));
    const wrongMemory = [afterFault, final].filter(memoryWrong);
    if (wrongMemory.length) broken.push(before, ...wrongMemory);
  }
  return verdict("state", [...new Set(broken)].sort((a, b) => a.id - b.id),
    `stored count holds each of the ${writes.filter(answered).length} acknowledged writes once; in-memory count ${reset ? "lost with the reset" : "kept"}, with what reached it`,
    (ids) => `Durable Object state wrong (stored must hold each acknowledged write once; memory should be ${reset ? "reset" : "kept"}, plus what reached it): ${ids}`);
};
