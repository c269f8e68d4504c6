import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { freshInstance } from "./fresh-instance.ts";
import { fault, info, run, runtime, sibling, stats } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);
const CONTAINED = contained(["PanicError"]);
const unwind = { strategy: "unwind" as const };
/** The guest's counters: its memory's own number is all this checker reads. */
const memory = (instance: number) => stats({ instance, generation: instance });

describe("fresh-instance", () => {
  it("holds when the guest counted one new memory per reset", () => {
    const v = freshInstance(run(RESET, [memory(3), fault("Abort"), sibling("later"), memory(4)]));
    expect(v).toMatchObject({ status: "holds", evidence: [], summary: "1 reset(s), 1 new memory by the guest's own count" });
    const storm = [memory(1), fault("Abort"), sibling("later"), fault("Abort"), sibling("later"), fault("Abort")];
    expect(freshInstance(run(RESET, [...storm, memory(4)]))).toMatchObject({ status: "holds", summary: "3 reset(s), 3 new memories by the guest's own count" });
  });

  it("holds when nothing was reset and the guest kept its memory", () => {
    expect(freshInstance(run(CONTAINED, [memory(2), fault("PanicError"), memory(2)], unwind)))
      .toMatchObject({ status: "holds", summary: "no reset, and the guest kept its memory" });
    expect(freshInstance(run(unrecovered(["Abort"]), [memory(5), fault("Abort"), memory(5)], { strategy: "none" })).status).toBe("holds");
  });

  it("breaks when a reset kept the old memory, whatever the host's generation says, naming both reads", () => {
    const v = freshInstance(run(RESET, [memory(1), info(runtime(1)), fault("Abort"), sibling("later"), info(runtime(2)), memory(1)]));
    expect(v).toMatchObject({ status: "broken", evidence: [1, 6] });
    expect(v.summary).toBe("1 reset(s) but 0 new memories by the guest's own count: a reset kept the old memory: #1, #6");
  });

  it("counts every reset of a storm: one kept memory among them breaks", () => {
    const storm = [memory(1), fault("Abort"), fault("Abort"), fault("Abort")];
    expect(freshInstance(run(RESET, [...storm, memory(3)]))).toMatchObject({ status: "broken", evidence: [1, 5] });
  });

  it("breaks when the memory was replaced more often than reset, or without a reset", () => {
    expect(freshInstance(run(RESET, [memory(1), fault("Abort"), memory(3)])).summary)
      .toBe("1 reset(s) but 2 new memories by the guest's own count: the memory was replaced more often than the instance was reset: #1, #3");
    expect(freshInstance(run(CONTAINED, [memory(1), fault("PanicError"), memory(2)], unwind))).toMatchObject({ status: "broken", evidence: [1, 3] });
  });

  it("reads the faulted isolate's counters only", () => {
    const split = { topology: "split" as const, fault: { place: "durable-object" as const } };
    const objects = { isolate: "objects" as const };
    const r = run(RESET, [memory(1), stats({ instance: 1 }, objects), fault("Abort", objects), memory(1), stats({ instance: 2 }, objects)], split);
    expect(freshInstance(r).status).toBe("holds");
  });

  it("unknown without the guest's counters before and after: not observed, never a pass", () => {
    expect(freshInstance(run(RESET, [info(runtime(1)), fault("Abort"), info(runtime(2))])))
      .toMatchObject({ status: "unknown", evidence: [], summary: expect.stringMatching(/^not observed: the run has no reads of the guest's own counters/) });
    expect(freshInstance(run(RESET, [memory(1), fault("Abort")])).status).toBe("unknown");
  });

  it("unknown when the guest does not number its memory, or a read failed", () => {
    expect(freshInstance(run(RESET, [stats({ generation: 1 }), fault("Abort"), stats({ generation: 2 })])))
      .toMatchObject({ status: "unknown", summary: "not observed: the guest does not report its own number for its memory" });
    expect(freshInstance(run(RESET, [memory(1), fault("Abort"), memory(2), stats({ instance: 1 }, { status: 500 })])).status).toBe("unknown");
  });
});
