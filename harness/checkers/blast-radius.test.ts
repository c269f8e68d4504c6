import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { blastRadius, blastRadiusChecker } from "./blast-radius.ts";
import { failed, fault, info, release, run, runtime, sibling, state } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);
const CONTAINED = contained(["PanicError"]);
const POISONED = unrecovered(["Abort"]);
const SPLIT_DO = { topology: "split" as const, fault: { place: "durable-object" as const } };

describe("blast-radius", () => {
  it("counts siblings that failed, hung or returned wrong data; never the fault or probes", () => {
    const r = run(RESET, [
      info(runtime(1)), sibling("inflight", failed("StaleInstance")), sibling("concurrent", { status: "timeout" }), fault("Abort"), release(0),
      sibling("later", { integrity: "wrong" }), sibling("later"), state(0, 0, failed("Abort")), info(runtime(2), { status: "unreachable" }),
    ]);
    expect(blastRadius(r)).toBe(3);
  });

  it("holds when only the casualties fail-fast accepts failed: in-flight siblings in the faulted isolate", () => {
    const v = blastRadiusChecker(run(RESET, [sibling("inflight", failed("StaleInstance")), sibling("inflight", failed("StaleInstance")), fault("Abort"), sibling("later")]));
    expect(v).toMatchObject({ status: "holds", evidence: [], summary: "blast radius 2 of 3 siblings, all within what reset allows" });
  });

  it("concurrent siblings are allowed to fail where in-flight ones are", () => {
    expect(blastRadiusChecker(run(RESET, [sibling("concurrent", failed("StaleInstance")), fault("Abort")])).status).toBe("holds");
    expect(blastRadiusChecker(run(CONTAINED, [sibling("concurrent", failed("PanicError")), fault("PanicError")], { strategy: "unwind" })))
      .toMatchObject({ status: "broken", evidence: [1] });
  });

  it("breaks when an in-flight sibling fails where siblings must survive, naming it", () => {
    const v = blastRadiusChecker(run(CONTAINED, [sibling("inflight"), sibling("inflight", { integrity: "wrong" }), fault("PanicError"), sibling("later")], { strategy: "unwind" }));
    expect(v).toMatchObject({ status: "broken", evidence: [2] });
    expect(v.summary).toBe("blast radius 1: #2 failed but unwind promises they survive");
  });

  it("breaks when a later sibling fails in the faulted isolate where later siblings must succeed", () => {
    const v = blastRadiusChecker(run(RESET, [sibling("inflight", failed("StaleInstance")), fault("Abort"), sibling("later", failed("Abort")), sibling("later")]));
    expect(v).toMatchObject({ status: "broken", evidence: [3] });
    expect(v.summary).toBe("blast radius 2: #3 failed but reset promises they survive");
  });

  it("without recovery anything in the faulted isolate may fail", () => {
    const v = blastRadiusChecker(run(POISONED, [sibling("inflight", { status: "timeout" }), fault("Abort"), sibling("later", failed("Abort")), sibling("later", { integrity: "wrong" })], { strategy: "none" }));
    expect(v).toMatchObject({ status: "holds", summary: "blast radius 3 of 3 siblings, all within what none allows" });
  });

  it("outside the faulted isolate nothing may fail, whatever the strategy", () => {
    for (const [expectation, strategy] of [[RESET, "reset"], [POISONED, "none"], [CONTAINED, "unwind"]] as const) {
      const r = run(expectation, [
        sibling("inflight", { isolate: "handler", ...failed("StaleInstance") }), sibling("inflight", { isolate: "objects", ...failed("StaleInstance") }),
        fault("Abort", { isolate: "objects" }), sibling("later", { isolate: "handler", status: "timeout" }), sibling("later", { isolate: "objects" }),
      ], { ...SPLIT_DO, strategy });
      const v = blastRadiusChecker(r);
      expect(v.status).toBe("broken");
      expect(v.evidence).toEqual(strategy === "unwind" ? [1, 2, 4] : [1, 4]);
    }
  });

  it("a split run whose fault is in the handler puts the objects isolate out of bounds", () => {
    const r = run(RESET, [sibling("inflight", { isolate: "objects", ...failed("StaleInstance") }), fault("Abort")], { topology: "split" });
    expect(blastRadiusChecker(r)).toMatchObject({ status: "broken", evidence: [1] });
  });

  it("is never unknown: with no siblings at all it holds with a radius of 0", () => {
    expect(blastRadiusChecker(run(RESET, [fault("Abort")]))).toMatchObject({ status: "holds", summary: "blast radius 0 of 0 siblings, all within what reset allows" });
  });
});
