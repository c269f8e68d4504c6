import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { recovery, recoveryLatency } from "./recovery.ts";
import { failed, fault, info, run, runtime, sibling } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);
const CONTAINED = contained(["PanicError"]);

describe("recovery", () => {
  it("holds when the generation advanced once for the reset and later siblings succeeded", () => {
    const v = recovery(run(RESET, [info(runtime(1)), fault("Abort"), sibling("later"), info(runtime(2))]));
    expect(v).toMatchObject({ status: "holds", evidence: [], summary: "generation +1 as expected; later siblings succeeded" });
  });

  it("breaks when a reset did not advance the generation, naming both probes", () => {
    const v = recovery(run(RESET, [info(runtime(1)), fault("Abort"), sibling("later"), info(runtime(1))]));
    expect(v).toMatchObject({ status: "broken", evidence: [1, 4] });
    expect(v.summary).toBe("generation moved by 0 (expected 1) or later siblings failed: #1, #4");
  });

  it("the advance must be exactly the expected resets: a double reset breaks", () => {
    expect(recovery(run(RESET, [info(runtime(1)), fault("Abort"), info(runtime(3))]))).toMatchObject({ status: "broken", evidence: [1, 3] });
  });

  it("a storm expects one reset per fault", () => {
    const storm = [info(runtime(4)), fault("Abort"), sibling("later", { kind: "ok" }), fault("Abort"), sibling("later", { kind: "ok" }), fault("Abort")];
    expect(recovery(run(RESET, [...storm, info(runtime(7))])).status).toBe("holds");
    expect(recovery(run(RESET, [...storm, info(runtime(5))]))).toMatchObject({ status: "broken", evidence: [1, 7] });
  });

  it("without a reset the generation must not move", () => {
    expect(recovery(run(CONTAINED, [info(runtime(1)), fault("PanicError"), info(runtime(1))], { strategy: "unwind" })).status).toBe("holds");
    expect(recovery(run(CONTAINED, [info(runtime(1)), fault("PanicError"), info(runtime(2))], { strategy: "unwind" })))
      .toMatchObject({ status: "broken", evidence: [1, 3] });
  });

  it("later siblings that failed (or returned wrong data) in the faulted isolate break it, after the probes", () => {
    const v = recovery(run(RESET, [
      info(runtime(1)), fault("Abort"), sibling("later", failed("StaleInstance")), sibling("later", { integrity: "wrong" }), sibling("later"), info(runtime(2)),
    ]));
    expect(v).toMatchObject({ status: "broken", evidence: [3, 4] });
    expect(v.summary).toMatch(/later siblings failed: #3, #4$/);
  });

  it("later siblings in another isolate are blast radius, not recovery", () => {
    const split = { topology: "split" as const, fault: { place: "durable-object" as const } };
    const r = run(RESET, [info(runtime(1), { isolate: "objects" }), fault("Abort", { isolate: "objects" }), sibling("later", failed("Abort")), info(runtime(2), { isolate: "objects" })], split);
    expect(recovery(r).status).toBe("holds");
  });

  it("probes of the other isolate are not the faulted isolate's generation", () => {
    const split = { topology: "split" as const, fault: { place: "durable-object" as const } };
    const r = run(RESET, [
      info(runtime(1)), info(runtime(1), { isolate: "objects" }), fault("Abort", { isolate: "objects" }), info(runtime(1)), info(runtime(2), { isolate: "objects" }),
    ], split);
    expect(recovery(r).status).toBe("holds");
  });

  it("poisoned later siblings are not judged", () => {
    expect(recovery(run(unrecovered(["Abort"]), [info(runtime(1)), fault("Abort"), sibling("later", failed("Abort")), info(runtime(1))], { strategy: "none" })).status).toBe("holds");
  });

  it("is never unknown: without probes it judges the later siblings and says the generation was not seen", () => {
    const v = recovery(run(RESET, [fault("Abort"), sibling("later")]));
    expect(v).toMatchObject({ status: "holds", summary: "generation not observed (no probes); later siblings succeeded" });
    expect(recovery(run(RESET, [fault("Abort"), sibling("later", failed("Abort"))]))).toMatchObject({ status: "broken", evidence: [2], summary: "later siblings failed: #2" });
  });

  // Other checkers use `observed()`: a probe that answered without the field is not observed.
  // recovery reads `generation` as NaN, NaN !== expected, and blames the worker for it.
  it("info probes without a generation are not evidence of a wrong advance", () => {
    expect(recovery(run(RESET, [info({}), fault("Abort"), sibling("later"), info({})])))
      .toMatchObject({ status: "holds", summary: "generation not observed (no probes); later siblings succeeded" });
  });

  it("recoveryLatency: from the first fault's answer to the first later sibling that succeeded after it", () => {
    const r = run(RESET, [fault("Abort", { start: 0, end: 10 }), sibling("later", { start: 12, end: 20, ...failed("Abort") }), sibling("later", { start: 20, end: 31.256 }), sibling("later", { start: 21, end: 25 })]);
    expect(recoveryLatency(r)).toBe(15);
    expect(recoveryLatency(run(RESET, [fault("Abort"), sibling("later", failed("Abort"))]))).toBeUndefined();
  });

  it("recoveryLatency: none under strategy none, where nothing recovers", () => {
    const later = [fault("Abort", { start: 0, end: 10 }), sibling("later", { start: 12, end: 20 })];
    expect(recoveryLatency(run(unrecovered(["Abort"]), later, { strategy: "none" }))).toBeUndefined();
  });
});
