import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import type { Fault } from "../history/scenario.ts";
import { expectedFrameChecksum } from "../protocol/integrity.ts";
import { frames } from "./frames.ts";
import { fault, run, sibling } from "../testing/synthetic.ts";

const SEED = 1234;
const swallowedAt = (at: number): Partial<Fault> => ({ kind: "panic", place: "reentrant", depth: 4, at, swallow: true });
const UNWIND = (at: number) => ({ strategy: "unwind" as const, fault: swallowedAt(at) });
const CONTAINED = contained(["ok"]);
/** The frames levels 1..n report when each found its buffer as it left it. */
const intact = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i + 1), expectedFrameChecksum(SEED, i + 1)]));
/** The chain's answer (the fault record): 200 with `frameSums`, from a request that carried `seed`. */
const chain = (frameSums: Record<string, unknown> | undefined, seed: number | null = SEED) => fault("ok", {
  kind: "panic@reentrant",
  path: `/reenter?depth=4&at=3&fault=panic&swallow=1${seed === null ? "" : `&seed=${seed}`}`,
  body: frameSums === undefined ? { completed: [2, 1] } : { completed: [2, 1], frames: frameSums },
});

describe("frames", () => {
  it("holds when every outer level reports the checksum its seed gives", () => {
    expect(frames(run(CONTAINED, [sibling("inflight"), chain(intact(2))], UNWIND(3))))
      .toMatchObject({ status: "holds", evidence: [], summary: "outer frames 1..2 intact after the fault swallowed at level 3" });
  });

  it("breaks when an outer frame was overwritten, naming the levels and the chain's record", () => {
    const v = frames(run(CONTAINED, [sibling("inflight"), chain({ ...intact(2), "1": 42 })], UNWIND(3)));
    expect(v).toMatchObject({ status: "broken", evidence: [2] });
    expect(v.summary).toBe("outer frame(s) at level 1 missing or overwritten after the fault swallowed at level 3: #2");
  });

  it("edges: a missing level breaks, a level that never held an outer frame is not asked, the innermost outer level counts", () => {
    expect(frames(run(CONTAINED, [chain({ "1": expectedFrameChecksum(SEED, 1) })], UNWIND(3))).summary).toMatch(/^outer frame\(s\) at level 2 missing/);
    // Levels 3 and 4 faulted or never ran: whatever they report is not judged.
    expect(frames(run(CONTAINED, [chain({ ...intact(2), "3": 0, "4": 0 })], UNWIND(3))).status).toBe("holds");
    // Swallowed at level 2: only level 1 is outer.
    expect(frames(run(CONTAINED, [chain(intact(1))], UNWIND(2))).status).toBe("holds");
    expect(frames(run(CONTAINED, [chain({ "1": expectedFrameChecksum(SEED + 1, 1) })], UNWIND(2))).status).toBe("broken");
    // A checksum in the wrong type is not the checksum.
    expect(frames(run(CONTAINED, [chain({ "1": String(expectedFrameChecksum(SEED, 1)) })], UNWIND(2))).status).toBe("broken");
  });

  it("holds vacuously where no outer frame resumes after a contained fault", () => {
    const vacuous = (at: number, overrides: Partial<Fault> = {}) => ({ strategy: "unwind" as const, fault: { ...swallowedAt(at), ...overrides } });
    expect(frames(run(CONTAINED, [chain({})], vacuous(1))).summary).toBe("no fault is swallowed below an outer frame");
    expect(frames(run(CONTAINED, [chain({})], vacuous(3, { swallow: false }))).status).toBe("holds");
    expect(frames(run(CONTAINED, [chain({})], { ...UNWIND(3), fault: { kind: "panic", place: "handler" } })).status).toBe("holds");
    // The instance died: outer frames must not resume, and did not.
    expect(frames(run(resets(["Abort"]), [fault("Abort")], { fault: swallowedAt(3) })))
      .toMatchObject({ status: "holds", summary: "the outer frames did not resume: the fault ended the chain" });
    // Without recovery nothing is promised of frames that run on.
    expect(frames(run(unrecovered(["ok", "Abort"]), [chain({ "1": 0 })], { strategy: "none", fault: swallowedAt(3) })).status).toBe("holds");
  });

  it("judges frames that resumed even where the expectation wanted the chain to end", () => {
    expect(frames(run(resets(["Abort"]), [chain({ "1": 0, "2": 0 })], { fault: swallowedAt(3) })).status).toBe("broken");
  });

  it("unknown when the chain should have answered and did not, or answered without frames or a seed", () => {
    expect(frames(run(CONTAINED, [fault("timeout")], UNWIND(3))))
      .toMatchObject({ status: "unknown", summary: "not observed: the chain did not answer, so its outer frames were not seen" });
    expect(frames(run(CONTAINED, [chain(undefined)], UNWIND(3))).summary).toBe("not observed: the worker does not report its re-entrant frames");
    expect(frames(run(CONTAINED, [chain(intact(2), null)], UNWIND(3))).summary).toBe("not observed: the chain's request carried no frame seed");
  });
});
