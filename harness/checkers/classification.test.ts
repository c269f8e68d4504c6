import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { classification } from "./classification.ts";
import { failed, fault, release, run, sibling } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);
const stale = () => sibling("inflight", failed("StaleInstance"));

describe("classification", () => {
  it("holds when the fault failed with an allowed class and fail-fast siblings failed as StaleInstance", () => {
    const v = classification(run(RESET, [stale(), stale(), fault("Abort"), release(0)]));
    expect(v).toMatchObject({ status: "holds", evidence: [], summary: "fault ended as Abort, in-flight siblings as StaleInstance" });
  });

  it("any of the allowed classes will do", () => {
    const either = resets(["Abort", "JsError"]);
    expect(classification(run(either, [fault("JsError")])).status).toBe("holds");
    expect(classification(run(either, [fault("Abort")])).summary).toBe("fault ended as Abort, in-flight siblings as StaleInstance");
  });

  it("breaks when the fault ended with a class the strategy does not allow, naming the fault", () => {
    const v = classification(run(RESET, [stale(), fault("PanicError"), release(0)]));
    expect(v).toMatchObject({ status: "broken", evidence: [2] });
    expect(v.summary).toBe("fault ended as PanicError, allowed: Abort: #2");
  });

  it("a fault that succeeded is `ok`: allowed only where the expectation lists it", () => {
    expect(classification(run(RESET, [fault("ok")]))).toMatchObject({ status: "broken", evidence: [1], summary: "fault ended as ok, allowed: Abort: #1" });
    expect(classification(run(unrecovered(["ok", "Abort"]), [fault("ok")], { strategy: "none" }))).toMatchObject({ status: "holds", summary: "fault ended as ok" });
  });

  it("a fault with no class (no answer) reports its status as its outcome", () => {
    expect(classification(run(RESET, [fault("timeout")]))).toMatchObject({ status: "broken", evidence: [1], summary: "fault ended as timeout, allowed: Abort: #1" });
    expect(classification(run(RESET, [fault("unreachable")])).summary).toBe("fault ended as unreachable, allowed: Abort: #1");
    expect(classification(run(RESET, [fault(500)])).summary).toBe("fault ended as 500, allowed: Abort: #1");
  });

  it("under fail-fast, in-flight siblings in the faulted isolate that did not fail as StaleInstance break it", () => {
    const v = classification(run(RESET, [stale(), sibling("inflight"), sibling("inflight", failed("Abort")), sibling("inflight", { status: "timeout" }), fault("Abort")]));
    expect(v).toMatchObject({ status: "broken", evidence: [2, 3, 4] });
    expect(v.summary).toBe("3 in-flight sibling(s) did not fail as StaleInstance: #2, #3, #4");
  });

  it("a wrong fault and wrong siblings are reported together, the fault first", () => {
    const v = classification(run(RESET, [sibling("inflight"), fault("PanicError")]));
    expect(v).toMatchObject({ status: "broken", evidence: [2, 1] });
    expect(v.summary).toBe("fault ended as PanicError, allowed: Abort; 1 in-flight sibling(s) did not fail as StaleInstance: #2, #1");
  });

  it("StaleInstance is only asked of in-flight siblings in the faulted isolate, only under fail-fast", () => {
    const split = { topology: "split" as const, fault: { place: "durable-object" as const } };
    expect(classification(run(RESET, [sibling("inflight", { isolate: "handler" }), fault("Abort", { isolate: "objects" })], split)).status).toBe("holds");
    // Concurrent siblings (a worker that cannot park) may have finished before the fault struck.
    expect(classification(run(RESET, [sibling("concurrent"), fault("Abort")])).status).toBe("holds");
    expect(classification(run(RESET, [fault("Abort"), sibling("later")])).status).toBe("holds");
    expect(classification(run(contained(["PanicError"]), [sibling("inflight"), fault("PanicError")], { strategy: "unwind" })))
      .toMatchObject({ status: "holds", summary: "fault ended as PanicError" });
  });

  it("a storm: every fault must be allowed; the summary names the wrong outcomes", () => {
    const v = classification(run(RESET, [fault("Abort"), sibling("later"), fault("PanicError"), sibling("later"), fault("timeout")]));
    expect(v).toMatchObject({ status: "broken", evidence: [3, 5] });
    expect(v.summary).toBe("fault ended as PanicError/timeout, allowed: Abort: #3, #5");
    expect(classification(run(RESET, [fault("Abort"), sibling("later"), fault("Abort")])).summary).toBe("fault ended as Abort, in-flight siblings as StaleInstance");
  });

  it("is never unknown: the fault always answers or fails to, so it is holds or broken", () => {
    const statuses = [[fault("Abort")], [fault("timeout")], [sibling("inflight"), fault("Abort")]].map((specs) => classification(run(RESET, specs)).status);
    expect(statuses).toEqual(["holds", "broken", "broken"]);
  });
});
