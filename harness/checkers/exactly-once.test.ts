import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { exactlyOnce } from "./exactly-once.ts";
import { fault, run, sibling, stats } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);
const CONTAINED = contained(["PanicError"]);
const unwind = { strategy: "unwind" as const };
/** The guest's counters: its memory's own number and the fault requests it began to run. */
const counts = (instance: number, faults: number) => stats({ instance, faults });

describe("exactly-once", () => {
  describe("one memory throughout: it counted every fault it ran", () => {
    it("holds when the count moved by the faults sent", () => {
      const v = exactlyOnce(run(CONTAINED, [counts(1, 7), fault("PanicError"), sibling("later"), counts(1, 8)], unwind));
      expect(v).toMatchObject({ status: "holds", evidence: [], summary: "the instance ran 1 of the 1 fault request(s) sent, each once" });
      const storm = [counts(1, 0), fault("JsError"), sibling("later"), fault("JsError"), sibling("later"), fault("JsError")];
      expect(exactlyOnce(run(contained(["JsError"]), [...storm, counts(1, 3)], unwind)).status).toBe("holds");
    });

    it("breaks when a fault ran twice (a retry), naming both reads", () => {
      const v = exactlyOnce(run(CONTAINED, [counts(1, 7), fault("PanicError"), counts(1, 9)], unwind));
      expect(v).toMatchObject({ status: "broken", evidence: [1, 3] });
      expect(v.summary).toBe("the instance ran 2 fault request(s) for 1 sent: some ran more than once: #1, #3");
    });

    it("a fault whose answer was lost may have run or not; never more than once", () => {
      for (const lost of ["timeout", "unreachable", "Canceled"]) {
        expect(exactlyOnce(run(CONTAINED, [counts(1, 0), fault(lost), counts(1, 0)], unwind)).status).toBe("holds");
        expect(exactlyOnce(run(CONTAINED, [counts(1, 0), fault(lost), counts(1, 1)], unwind)).status).toBe("holds");
        expect(exactlyOnce(run(CONTAINED, [counts(1, 0), fault(lost), counts(1, 2)], unwind)).status).toBe("broken");
      }
    });

    it("breaks when a fault that answered from inside the guest is missing from its count", () => {
      for (const inside of ["PanicError", "JsError", "ok"]) {
        const v = exactlyOnce(run(CONTAINED, [counts(1, 4), fault(inside), counts(1, 4)], unwind));
        expect(v).toMatchObject({ status: "broken", evidence: [1, 3] });
        expect(v.summary).toBe("the instance ran 0 fault request(s) for 1 sent, though 1 answered from inside it: #1, #3");
      }
      // An abort's answer may come from a runtime that refused the request: it proves nothing ran.
      expect(exactlyOnce(run(unrecovered(["Abort"]), [counts(1, 4), fault("Abort"), counts(1, 4)], { strategy: "none" })).status).toBe("holds");
    });
  });

  describe("a new memory by the end", () => {
    it("holds when every fault went with the memory it ran in", () => {
      const v = exactlyOnce(run(RESET, [counts(1, 3), fault("Abort"), sibling("later"), counts(2, 0)]));
      expect(v).toMatchObject({ status: "holds", summary: "each fault went with the memory it ran in; none ran again after it" });
    });

    it("breaks when the memory that replaced the faulted one ran a fault again (a replay after the reset)", () => {
      const v = exactlyOnce(run(RESET, [counts(1, 3), fault("Abort"), sibling("later"), counts(2, 1)]));
      expect(v).toMatchObject({ status: "broken", evidence: [1, 4] });
      expect(v.summary).toBe("the memory that replaced the faulted one ran 1 fault request(s), though every fault took its memory with it: #1, #4");
    });

    it("without a reset due, the new memory may have run at most the faults sent", () => {
      expect(exactlyOnce(run(CONTAINED, [counts(1, 3), fault("PanicError"), counts(2, 1)], unwind)).status).toBe("holds");
      expect(exactlyOnce(run(CONTAINED, [counts(1, 3), fault("PanicError"), counts(2, 2)], unwind)))
        .toMatchObject({ status: "broken", summary: "the memory that replaced the faulted one ran 2 fault request(s) for 1 sent: #1, #3" });
    });
  });

  it("reads the faulted isolate's counters only", () => {
    const split = { topology: "split" as const, fault: { place: "durable-object" as const }, strategy: "unwind" as const };
    const objects = { isolate: "objects" as const };
    // The handler's count moved by 5 for one fault: it would break if it were read.
    const r = run(CONTAINED, [counts(1, 0), stats({ instance: 1, faults: 0 }, objects), fault("PanicError", objects), counts(1, 5), stats({ instance: 1, faults: 1 }, objects)], split);
    expect(exactlyOnce(r).status).toBe("holds");
  });

  it("unknown without the guest's counters, or without its count of faults or its memory's number", () => {
    expect(exactlyOnce(run(RESET, [fault("Abort")]))).toMatchObject({ status: "unknown", summary: expect.stringMatching(/^not observed: the run has no reads/) });
    expect(exactlyOnce(run(RESET, [stats({ instance: 1 }), fault("Abort"), stats({ instance: 2 })])))
      .toMatchObject({ status: "unknown", summary: "not observed: the guest does not count the fault requests it executed" });
    expect(exactlyOnce(run(RESET, [stats({ faults: 1 }), fault("Abort"), stats({ faults: 0 })])).status).toBe("unknown");
    expect(exactlyOnce(run(RESET, [counts(1, 1), fault("Abort"), counts(2, 0), counts(2, 0), stats({}, { status: 500 })])).status).toBe("unknown");
  });
});
