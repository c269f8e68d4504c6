import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { HEAP_PER_REQUEST, MEMORY_PER_REQUEST, memoryGrowth, peakInFlight } from "./memory-growth.ts";
import { fault, info, run, setup, sibling, type Spec } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);
const CONTAINED = contained(["PanicError"]);
const unwind = { strategy: "unwind" as const };
const MiB = 1_048_576;
const HEAP = 200_000;
/** An info probe at rest: linear memory and live heap, then the record's own fields. */
const rest = (memoryBytes: number, heapBytes: number | null = HEAP, more: Partial<Spec> = {}) => info(heapBytes === null ? { memoryBytes } : { memoryBytes, heapBytes }, more);

describe("memory-growth", () => {
  describe("peakInFlight: the most records of an isolate in flight at one instant", () => {
    const at = (start: number, end: number, isolate: "handler" | "objects" = "handler") => ({ start, end, isolate });
    const peak = (...spans: ReturnType<typeof at>[]) => peakInFlight(run(RESET, spans.map((s) => sibling("later", s))).records, "handler");

    it("one after another is one; one that ends when the next starts does not overlap it", () => {
      expect(peak(at(0, 10), at(10, 20), at(20, 30))).toBe(1);
    });

    it("overlaps add up, and only at the same instant", () => {
      expect(peak(at(0, 10), at(5, 15), at(9, 20))).toBe(3);
      expect(peak(at(0, 10), at(5, 15), at(12, 20))).toBe(2);
    });

    it("counts the isolate's own records only", () => {
      expect(peak(at(0, 10), at(0, 10, "objects"))).toBe(1);
    });
  });

  // Records 2–4 overlap (peak 3 with nothing else at once); 1 and 6 are the probes.
  const history = (memoryAfter: number, heapAfter = HEAP, strategy: "unwind" | "reset" = "unwind") => run(strategy === "unwind" ? CONTAINED : RESET, [
    rest(MiB, HEAP, { start: 0, end: 1 }), sibling("inflight", { start: 10, end: 50 }), sibling("inflight", { start: 11, end: 50 }),
    fault(strategy === "unwind" ? "PanicError" : "Abort", { start: 20, end: 30 }), sibling("later", { start: 60, end: 70 }), rest(memoryAfter, heapAfter, { start: 80, end: 81 }),
  ], strategy === "unwind" ? unwind : {});

  describe("linear memory: before the run + one 64 KiB page per request in flight at once", () => {
    it("holds at the bound exactly", () => {
      const v = memoryGrowth(history(MiB + 3 * MEMORY_PER_REQUEST));
      expect(v).toMatchObject({ status: "holds", evidence: [] });
      expect(v.summary).toBe(`within its bounds: handler linear memory ${MiB + 3 * MEMORY_PER_REQUEST} ≤ ${MiB + 3 * MEMORY_PER_REQUEST} B, handler live heap ${HEAP} ≤ ${HEAP + 3 * HEAP_PER_REQUEST} B`);
    });

    it("breaks one byte over it, naming both probes", () => {
      const v = memoryGrowth(history(MiB + 3 * MEMORY_PER_REQUEST + 1));
      expect(v).toMatchObject({ status: "broken", evidence: [1, 6] });
      expect(v.summary).toBe(`handler: linear memory ${MiB + 3 * MEMORY_PER_REQUEST + 1} B, over ${MiB + 3 * MEMORY_PER_REQUEST} B (${MiB} B before + 64 KiB for each of 3 requests in flight at once): #1, #6`);
    });

    it("a storm's faults, one at a time, add one page between them, not one each", () => {
      const storm = Array.from({ length: 200 }, (_, i) => fault("PanicError", { start: 10 + i * 10, end: 15 + i * 10 }));
      const r = (after: number) => run(CONTAINED, [rest(MiB, HEAP, { start: 0, end: 1 }), ...storm, rest(after, HEAP, { start: 5000, end: 5001 })], unwind);
      expect(memoryGrowth(r(MiB + MEMORY_PER_REQUEST)).status).toBe("holds");
      // A leak of a few hundred bytes per fault, 200 times, is past it.
      expect(memoryGrowth(r(MiB + 200 * 400)).status).toBe("broken");
    });

    it("a new instance after a reset may be smaller than the old one", () => {
      expect(memoryGrowth(history(MiB / 2, 0, "reset")).status).toBe("holds");
    });
  });

  describe("live heap: back to what it was, up to 1 KiB per request in flight at once or setting up", () => {
    it("holds at the bound exactly, breaks one byte over it", () => {
      expect(memoryGrowth(history(MiB, HEAP + 3 * HEAP_PER_REQUEST)).status).toBe("holds");
      const v = memoryGrowth(history(MiB, HEAP + 3 * HEAP_PER_REQUEST + 1));
      expect(v).toMatchObject({ status: "broken", evidence: [1, 6] });
      expect(v.summary).toBe(`handler: live heap ${HEAP + 3 * HEAP_PER_REQUEST + 1} B, over ${HEAP + 3 * HEAP_PER_REQUEST} B (${HEAP} B before + 1 KiB for each of 3 requests in flight at once or setting up): #1, #6`);
    });

    it("what setup creates to stay is allowed for: one request each", () => {
      const r = (heapAfter: number) => run(CONTAINED, [
        rest(MiB, HEAP, { start: 0, end: 1 }), setup({ start: 2, end: 3 }), setup({ start: 4, end: 5 }), fault("PanicError", { start: 10, end: 20 }),
        rest(MiB, heapAfter, { start: 30, end: 31 }),
      ], unwind);
      expect(memoryGrowth(r(HEAP + 3 * HEAP_PER_REQUEST)).status).toBe("holds");
      expect(memoryGrowth(r(HEAP + 3 * HEAP_PER_REQUEST + 1)).status).toBe("broken");
    });

    it("catches a leak linear memory hides: 200 faults leaving 200 B each, in free space the allocator already had", () => {
      const storm = Array.from({ length: 200 }, (_, i) => fault("PanicError", { start: 10 + i * 10, end: 15 + i * 10 }));
      const r = run(CONTAINED, [rest(MiB, HEAP, { start: 0, end: 1 }), ...storm, rest(MiB, HEAP + 200 * 200, { start: 5000, end: 5001 })], unwind);
      expect(memoryGrowth(r)).toMatchObject({ status: "broken", summary: expect.stringMatching(/^handler: live heap 240000 B, over 201024 B/) });
    });
  });

  it("judges every isolate: the objects' too (split topology)", () => {
    const split = { ...unwind, topology: "split" as const };
    const objects = { isolate: "objects" as const };
    const r = run(CONTAINED, [rest(MiB), rest(MiB, HEAP, objects), fault("PanicError"), rest(MiB), rest(MiB, HEAP + 10 * HEAP_PER_REQUEST, objects)], split);
    expect(memoryGrowth(r)).toMatchObject({ status: "broken", evidence: [2, 5], summary: expect.stringMatching(/^objects: live heap/) });
  });

  describe("no recovery (none)", () => {
    const NONE = { strategy: "none" as const };
    const POISONED = unrecovered(["Abort"]);

    it("promises nothing about the faulted instance: a memory left at the cap is no break", () => {
      expect(memoryGrowth(run(POISONED, [rest(MiB), fault("Abort"), rest(64 * MiB, 64 * MiB)], NONE)))
        .toMatchObject({ status: "holds", summary: "no recovery: nothing is promised about the instance's memory" });
    });

    it("still judges the isolate the fault did not run in", () => {
      const split = { ...NONE, topology: "split" as const };
      const objects = { isolate: "objects" as const };
      const r = run(POISONED, [rest(MiB), rest(MiB, HEAP, objects), fault("Abort"), rest(64 * MiB), rest(2 * MiB, HEAP, objects)], split);
      expect(memoryGrowth(r)).toMatchObject({ status: "broken", evidence: [2, 5] });
    });
  });

  describe("unknown: what is not reported is not observed, never a pass", () => {
    it("without probes (a profile's worker)", () => {
      expect(memoryGrowth(run(RESET, [fault("Abort")]))).toMatchObject({ status: "unknown", summary: expect.stringMatching(/^not observed: the worker has no runtime probes/) });
    });

    it("a runtime that reports no heap: unknown, though linear memory held", () => {
      expect(memoryGrowth(run(RESET, [rest(MiB, null), fault("Abort"), rest(MiB, null)])))
        .toMatchObject({ status: "unknown", summary: "not observed: the runtime does not report its live heap" });
    });

    it("but what it does report can still break", () => {
      expect(memoryGrowth(run(RESET, [rest(MiB, null), fault("Abort"), rest(64 * MiB, null)]))).toMatchObject({ status: "broken", evidence: [1, 3] });
    });

    it("a probe after the run that failed", () => {
      expect(memoryGrowth(run(RESET, [rest(MiB), fault("Abort"), rest(MiB, HEAP, { status: 500 })])).status).toBe("unknown");
    });
  });
});
