// State survival (Durable Object): every acknowledged write is still stored; the in-memory
// count is kept unless the object's isolate was reset, and then it starts again from zero.
//
// Judged from counts, so it holds for the canary (reads are separate from writes) and for a
// profile's counter, where every request is a write: a state read reports the counts after
// its own write, if it made one.
import type { HistoryRecord } from "../history/record.ts";
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
  const unreadable = [afterFault, final].filter((r) => r.status !== 200);
  // A read that answered without counts (a body the client could not parse) shows nothing.
  const answered = [before, afterFault, final].filter((r) => r.status === 200);
  if (answered.some((r) => !observed(r, "memory") || !observed(r, "stored"))) {
    return unobserved("state", "the object's reads answered without in-memory and stored counts");
  }
  if (unreadable.length && poisoned) {
    return vacuous("state", "object unreadable through the poisoned instance (no recovery); storage not checked");
  }
  // Writes after the first read: the counts it reported are the baseline.
  const writes = onObject.filter((r) => wrote(r) && r.start >= before.end);
  // Stored: at least every write acknowledged before the read began, at most every write begun
  // before it ended (a write may be durable although its answer was lost).
  const storedWrong = (read: HistoryRecord) => {
    const others = writes.filter((w) => w !== read);
    const acknowledged = others.filter((w) => w.status === 200 && w.end <= read.start).length;
    const begun = others.filter((w) => w.start <= read.end).length;
    const stored = num(read, "stored") - num(before, "stored") - own(read);
    return stored < acknowledged || stored > begun;
  };
  const broken: HistoryRecord[] = [...unreadable];
  if (!unreadable.length) {
    broken.push(...[afterFault, final].filter(storedWrong));
    const fault = faultRecords(run)[0]!;
    const memory = num(afterFault, "memory") - own(afterFault);
    if (objectReset(run)) {
      // Only writes that may have reached the new instance may be in its memory: begun before
      // the read ended and not answered before the fault began. A failed write counts too: its
      // caller can die with the old instance after the object (rebuilt) already applied it.
      const afterReset = writes.filter((w) => w !== afterFault && w.start <= afterFault.end && !(w.status === 200 && w.end <= fault.start)).length;
      if (memory > afterReset) broken.push(before, afterFault);
    } else if (memory < num(before, "memory")) {
      broken.push(before, afterFault);
    }
  }
  const acknowledged = writes.filter((w) => w.status === 200).length;
  return verdict("state", [...new Set(broken)],
    `stored count holds all ${acknowledged} acknowledged writes; in-memory count ${objectReset(run) ? "lost with the reset" : "kept"}`,
    (ids) => `Durable Object state wrong (memory should be ${objectReset(run) ? "reset" : "kept"}; stored must hold every acknowledged write): ${ids}`);
};
