import { describe, expect, it } from "vitest";
import { contained, resets } from "../../scenarios/expectations.ts";
import { judgeUpstream, upstreamPromise } from "./upstream.ts";
import { failed, fault, info, run, runtime, sibling, state, write } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);
const CONTAINED = contained(["PanicError"]);
const real = <T extends { config: { variant: string } }>(r: T, variant = "real-abort"): T => ({ ...r, config: { ...r.config, variant } });
const status = (verdicts: ReturnType<typeof judgeUpstream>) => Object.fromEntries(verdicts.map((v) => [v.checker, v.status]));

describe("upstream's own promises (workers-rs panic.spec.ts)", () => {
  it("abort mode: a panic's request is cancelled, the instance resets, later requests succeed", () => {
    const kept = judgeUpstream(real(run(RESET, [info(runtime(1)), fault("Canceled"), sibling("later"), info(runtime(2))], { fault: { kind: "panic" } })));
    expect(status(kept)).toEqual({ "upstream:fault": "holds", "upstream:reset": "holds", "upstream:later": "holds" });
    expect(kept[0]!.summary).toContain("panic.spec.ts A1");
  });

  it("a second reset is no break of upstream's promise, but no reset or a failed later request is", () => {
    const twice = judgeUpstream(real(run(RESET, [info(runtime(1)), fault("Canceled"), sibling("later"), info(runtime(3))], { fault: { kind: "oom" } })));
    expect(status(twice)["upstream:reset"]).toBe("holds");
    const never = judgeUpstream(real(run(RESET, [info(runtime(1)), fault("Canceled"), sibling("later", failed("Canceled")), info(runtime(1))], { fault: { kind: "js-error" } })));
    expect(status(never)).toMatchObject({ "upstream:reset": "broken", "upstream:later": "broken" });
    expect(never.find((v) => v.checker === "upstream:reset")!.summary).toMatch(/generation moved by 0, upstream asserts a reset \(panic\.spec\.ts A6\)/);
  });

  it("unwind: a panic is a PanicError that resets nothing, and its concurrent requests answer (U1, U3)", () => {
    const ok = judgeUpstream(real(run(CONTAINED, [info(runtime(1)), sibling("inflight"), fault("PanicError"), sibling("later"), info(runtime(1))],
      { strategy: "unwind", fault: { kind: "panic" } }), "real-unwind"));
    expect(status(ok)).toEqual({ "upstream:fault": "holds", "upstream:reset": "holds", "upstream:later": "holds", "upstream:in-flight": "holds" });
    const hurt = judgeUpstream(real(run(CONTAINED, [info(runtime(1)), sibling("inflight", { status: "timeout" }), fault("Canceled"), info(runtime(2))],
      { strategy: "unwind", fault: { kind: "panic" } }), "real-unwind"));
    expect(status(hurt)).toEqual({ "upstream:fault": "broken", "upstream:reset": "broken", "upstream:later": "holds", "upstream:in-flight": "broken" });
  });

  it("the contract's own class is accepted beside the cancel upstream asserts", () => {
    const clear = judgeUpstream(real(run(RESET, [info(runtime(1)), fault("Abort"), info(runtime(2))], { fault: { kind: "abort" } })));
    expect(status(clear)["upstream:fault"]).toBe("holds");
  });

  it("promises nothing where upstream's tests assert nothing", () => {
    expect(upstreamPromise(real(run(RESET, [], { fault: { kind: "panic", place: "durable-object" } })))).toBeUndefined();
    expect(upstreamPromise(real(run(RESET, [], { fault: { kind: "stack-overflow" } })))).toBeUndefined();
    expect(upstreamPromise(real(run(CONTAINED, [], { strategy: "unwind", fault: { kind: "panic-in-drop" } }), "real-unwind"))).toBeUndefined();
    expect(judgeUpstream(real(run(RESET, [], { strategy: "none", fault: { kind: "panic" } }), "real-legacy"))).toEqual([]);
  });

  // A worker of your own reports no generation: the reset is read as upstream's test reads it,
  // off the Durable Object's in-memory count in the faulted isolate.
  it("without a generation, tells the reset from the object's in-memory count, as upstream's test does", () => {
    const own = (r: ReturnType<typeof run>) => ({ ...r, config: { ...r.config, variant: "worker" as const }, expect: "upstream" as const });
    const restarted = judgeUpstream(own(run(RESET, [state(3, 3), fault("Canceled"), state(1, 4), sibling("later")], { fault: { kind: "panic" }, object: "o" })));
    expect(status(restarted)["upstream:reset"]).toBe("holds");
    // Writes cancelled with the fault still reached storage: memory +1 against stored +5 is a reset.
    const busy = judgeUpstream(own(run(RESET, [state(3, 3), write("concurrent", failed("Canceled")), fault("Canceled"), state(4, 8)], { fault: { kind: "panic" }, object: "o" })));
    expect(status(busy)["upstream:reset"]).toBe("holds");
    const wentOn = judgeUpstream(own(run(RESET, [state(3, 3), fault("Canceled"), state(4, 4), sibling("later")], { fault: { kind: "panic" }, object: "o" })));
    expect(status(wentOn)["upstream:reset"]).toBe("broken");
    expect(wentOn.find((v) => v.checker === "upstream:reset")!.summary).toMatch(/in-memory count grew by 1 and its stored count by 1 \(no reset\), upstream asserts a reset/);
    const unwound = judgeUpstream(own(run(CONTAINED, [state(3, 3), fault("PanicError"), state(1, 4)], { strategy: "unwind", fault: { kind: "panic" }, object: "o" })));
    expect(status(unwound)["upstream:reset"]).toBe("broken");
    // In another isolate the object's count says nothing about the faulted one.
    const split = judgeUpstream(own(run(RESET, [state(3, 3), fault("Canceled"), state(4, 4)], { fault: { kind: "panic" }, object: "o", topology: "split" })));
    expect(status(split)["upstream:reset"]).toBe("unknown");
  });

  it("an unreported generation leaves the reset unknown, never kept", () => {
    const blind = judgeUpstream(real(run(RESET, [fault("Canceled"), sibling("later")], { fault: { kind: "panic" } })));
    expect(status(blind)["upstream:reset"]).toBe("unknown");
  });
});
