// Frames: when a fault is swallowed below an outer level of a re-entrant JS→Rust→JS→Rust
// chain and the chain goes on (the fault was contained), every outer level finds the data it
// keeps on the shadow stack as it left it. Each level holds a buffer derived from the request's
// seed across its inner call and reports its checksum when it ends; the harness computes what
// it must be (harness/protocol/integrity.ts). A runtime that puts the stack pointer back in the
// wrong place after the unwind lets later calls write over those frames.
import { expectedFrameChecksum, requestedFrameSeed } from "../protocol/integrity.ts";
import { answered, type HistoryRecord } from "../history/record.ts";
import { expectationOf, faultRecords, unobserved, vacuous, verdict, type Checker } from "./verdict.ts";

/** Outer levels (1..at-1) whose frame is missing or changed in a chain's answer. */
function damagedLevels(record: HistoryRecord, seed: number, at: number): number[] {
  const frames = record.body?.frames as Record<string, unknown>;
  return Array.from({ length: at - 1 }, (_, i) => i + 1).filter((level) => frames[String(level)] !== expectedFrameChecksum(seed, level));
}

export const frames: Checker = (run) => {
  const { fault } = run.scenario;
  const at = fault.at ?? 1;
  if (fault.place !== "reentrant" || !fault.swallow || at < 2) return vacuous("frames", "no fault is swallowed below an outer frame");
  if (run.config.strategy === "none") return vacuous("frames", "no recovery: outer frames may run on after the fault, on whatever is left");
  const resumed = faultRecords(run).filter(answered);
  if (resumed.length === 0) {
    return expectationOf(run).fault.includes("ok")
      ? unobserved("frames", "the chain did not answer, so its outer frames were not seen")
      : vacuous("frames", "the outer frames did not resume: the fault ended the chain");
  }
  if (resumed.some((r) => requestedFrameSeed(r.path) === undefined)) return unobserved("frames", "the chain's request carried no frame seed");
  if (resumed.some((r) => typeof r.body?.frames !== "object" || r.body.frames === null)) {
    return unobserved("frames", "the worker does not report its re-entrant frames");
  }
  const damaged = resumed.map((r) => ({ r, levels: damagedLevels(r, requestedFrameSeed(r.path)!, at) })).filter((d) => d.levels.length);
  return verdict("frames", damaged.map((d) => d.r), `outer frames 1..${at - 1} intact after the fault swallowed at level ${at}`,
    (ids) => `outer frame(s) at level ${damaged[0]!.levels.join(", ")} missing or overwritten after the fault swallowed at level ${at}: ${ids}`);
};
