import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { failFastMargin, liveness } from "./liveness.ts";
import { failed, fault, info, release, run, runtime, sibling } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);

describe("liveness", () => {
  it("holds when everything answered and the release found nothing parked in the faulted isolate", () => {
    const v = liveness(run(RESET, [info(runtime(1)), sibling("inflight", failed("StaleInstance")), fault("Abort"), release(0), sibling("later"), info(runtime(2))]));
    expect(v).toMatchObject({ status: "holds", evidence: [], summary: "every operation answered in time; failing siblings failed fast" });
  });

  it("breaks on every operation that timed out or got no answer, whatever its role", () => {
    const v = liveness(run(RESET, [
      info(runtime(1)), sibling("inflight", { status: "timeout" }), fault("Abort"), release(0), sibling("later", { status: "unreachable" }), info({}, { status: "timeout" }),
    ]));
    expect(v).toMatchObject({ status: "broken", evidence: [2, 5, 6] });
    expect(v.summary).toBe("3 operation(s) hung or got no answer: #2, #5, #6");
  });

  it("a fault that hung is a liveness failure too, said apart from other operations that hung (another cause)", () => {
    expect(liveness(run(RESET, [fault("timeout"), release(0)]))).toMatchObject({ status: "broken", evidence: [1], summary: "1 fault(s) never answered: #1" });
    expect(liveness(run(RESET, [fault("timeout"), sibling("inflight", { status: "timeout" }), release(0)])))
      .toMatchObject({ status: "broken", evidence: [1, 2], summary: "1 fault(s) never answered; 1 operation(s) hung or got no answer: #1, #2" });
  });

  it("a resume fault strikes as the release wakes everyone: that release finding them all parked is no evidence", () => {
    const resumeFault = { fault: { kind: "js-error" as const, place: "resume" as const } };
    const records = [fault("JsError"), sibling("inflight", failed("StaleInstance")), release(2), sibling("later")];
    expect(liveness(run(resets(["JsError"]), records, resumeFault))).toMatchObject({ status: "holds" });
    expect(liveness(run(resets(["JsError"]), [...records.slice(0, 1), sibling("inflight", { status: "timeout" }), ...records.slice(2)], resumeFault)))
      .toMatchObject({ status: "broken", evidence: [2] });
  });

  it("under fail-fast, siblings the release still found parked did not fail fast: the release is the evidence", () => {
    const v = liveness(run(RESET, [sibling("inflight", failed("StaleInstance")), fault("Abort"), release(2), sibling("later")]));
    expect(v).toMatchObject({ status: "broken", evidence: [3] });
    expect(v.summary).toBe("2 sibling(s) still parked after the fault: #3");
  });

  it("released 1 is enough to break fail-fast; released 0 holds", () => {
    expect(liveness(run(RESET, [fault("Abort"), release(1)])).status).toBe("broken");
    expect(liveness(run(RESET, [fault("Abort"), release(0)])).status).toBe("holds");
  });

  it("hung operations and a late release are reported together, hung first", () => {
    const v = liveness(run(RESET, [sibling("inflight", { status: "timeout" }), fault("Abort"), release(1)]));
    expect(v).toMatchObject({ status: "broken", evidence: [1, 3] });
    expect(v.summary).toBe("1 operation(s) hung or got no answer; 1 sibling(s) still parked after the fault: #1, #3");
  });

  it("released > 0 is normal where siblings survive (or are poisoned): they were parked until released", () => {
    expect(liveness(run(contained(["PanicError"]), [fault("PanicError"), release(3)], { strategy: "unwind" })).status).toBe("holds");
    expect(liveness(run(unrecovered(["Abort"]), [fault("Abort"), release(3)], { strategy: "none" })).status).toBe("holds");
  });

  it("only the release in the faulted isolate counts: a split run's other isolate keeps its siblings parked", () => {
    const split = { topology: "split" as const, fault: { place: "durable-object" as const } };
    const r = run(RESET, [fault("Abort", { isolate: "objects" }), release(2, { isolate: "handler" }), release(0, { isolate: "objects" })], split);
    expect(liveness(r).status).toBe("holds");
    const late = run(RESET, [fault("Abort", { isolate: "objects" }), release(0, { isolate: "handler" }), release(1, { isolate: "objects" })], split);
    expect(liveness(late)).toMatchObject({ status: "broken", evidence: [3] });
  });

  describe("under fail-fast, siblings of the dead instance end soon after the fault's answer (1 s, + 3 ms per sibling)", () => {
    const at = (end: number) => sibling("inflight", { start: 0, end, ...failed("StaleInstance") });
    const judge = (...siblings: ReturnType<typeof at>[]) => liveness(run(RESET, [...siblings, fault("Abort", { start: 5, end: 100 }), release(0, { start: 101, end: 102 })]));

    it("exactly at the margin holds; a millisecond later breaks, naming the sibling", () => {
      expect(failFastMargin(1)).toBe(1_003);
      expect(judge(at(100 + failFastMargin(1))).status).toBe("holds");
      const v = judge(at(50), at(101 + failFastMargin(2)));
      expect(v).toMatchObject({ status: "broken", evidence: [2] });
      expect(v.summary).toBe(`1 sibling(s) of the dead instance ended more than ${failFastMargin(2)} ms after the fault: #2`);
    });

    it("the margin grows with the siblings the client must receive: 1,000 get 4 s", () => {
      expect(failFastMargin(1000)).toBe(4_000);
    });

    it("a sibling that hung is reported once, as hung", () => {
      expect(liveness(run(RESET, [sibling("inflight", { start: 0, end: 5000, status: "timeout" }), fault("Abort", { start: 5, end: 100 })])))
        .toMatchObject({ status: "broken", evidence: [1], summary: "1 operation(s) hung or got no answer: #1" });
    });

    it("not asked where siblings survive, nor of siblings in the other isolate, nor of later siblings", () => {
      const slow = { start: 0, end: 5000 };
      expect(liveness(run(contained(["PanicError"]), [sibling("inflight", slow), fault("PanicError", { start: 5, end: 100 })], { strategy: "unwind" })).status).toBe("holds");
      const split = { topology: "split" as const, fault: { place: "durable-object" as const } };
      expect(liveness(run(RESET, [sibling("inflight", slow), fault("Abort", { isolate: "objects", start: 5, end: 100 })], split)).status).toBe("holds");
      expect(liveness(run(RESET, [fault("Abort", { start: 5, end: 100 }), sibling("later", { start: 4000, end: 5000 })])).status).toBe("holds");
    });
  });

  it("a release that did not answer with a count is not read as siblings left parked", () => {
    expect(liveness(run(RESET, [fault("Abort"), release(0, { status: 500, body: undefined })])).status).toBe("holds");
  });

  it("is never unknown: without park or probes (a profile's worker) it judges the answers it has", () => {
    const concurrent = [sibling("concurrent", failed("StaleInstance")), fault("Abort"), sibling("later")];
    expect(liveness(run(RESET, concurrent)).status).toBe("holds");
    expect(liveness(run(RESET, [...concurrent, sibling("later", { status: "timeout" })])).status).toBe("broken");
  });
});
