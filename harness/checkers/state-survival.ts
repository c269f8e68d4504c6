// State survival (Durable Object): every acknowledged write is still stored; the in-memory
// count is kept unless the object's isolate was reset, and then it starts again from zero.
import { SETUP_WRITES } from "../engine/execute.ts";
import type { HistoryRecord } from "../history/record.ts";
import { expectationOf, num, objectReset, verdict, type Checker } from "./verdict.ts";

export const stateSurvival: Checker = (run) => {
  if (!run.object) return { checker: "state", ok: true, summary: "no Durable Object in this scenario", evidence: [] };
  const states = run.records.filter((r) => r.kind === "object-state");
  const [before, afterFault, final] = states as [HistoryRecord, HistoryRecord, HistoryRecord];
  const acknowledged = run.records.filter((r) => r.kind === "object-increment" && r.status === 200);
  const stored = Math.max(0, ...acknowledged.map((r) => num(r, "stored")));
  const poisoned = expectationOf(run).later === "poisoned";
  const unreadable = [afterFault, final].filter((r) => r.status !== 200);
  if (unreadable.length && poisoned) {
    return { checker: "state", ok: true, summary: "object unreadable through the poisoned instance (no recovery); storage not checked", evidence: [] };
  }
  const broken: HistoryRecord[] = [...unreadable];
  if (!unreadable.length) {
    if (num(afterFault, "stored") !== SETUP_WRITES || num(final, "stored") !== stored) broken.push(afterFault, final);
    const memoryKept = num(afterFault, "memory") >= num(before, "memory");
    if (objectReset(run) ? num(afterFault, "memory") !== 0 : !memoryKept) broken.push(before, afterFault);
  }
  return verdict("state", broken,
    `stored ${stored} = acknowledged; in-memory count ${objectReset(run) ? "lost with the reset" : "kept"}`,
    (ids) => `Durable Object state wrong (acknowledged ${stored}, memory should be ${objectReset(run) ? "reset" : "kept"}): ${ids}`);
};
