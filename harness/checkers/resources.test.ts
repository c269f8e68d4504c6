import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { MEMORY_PER_REQUEST, peakInFlight, resources } from "./resources.ts";
import { fault, info, run, sibling, type Spec } from "./synthetic.ts";

const RESET = resets(["Abort"]);
const CONTAINED = contained(["PanicError"]);
const unwind = { strategy: "unwind" as const };
const MiB = 1_048_576;
/** The reference runtime's info (linear memory, tasks in flight, requests parked), then the record's own fields. */
const rest = (memoryBytes: number, body: Record<string, unknown> = {}, more: Partial<Spec> = {}) => info({ memoryBytes, inFlight: 0, parked: 0, ...body }, more);

describe("resources", () => {
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

  describe("memory: before the run + one 64 KiB page per request in flight at once", () => {
    // Records 2–4 overlap (peak 3 with nothing else at once); 1 and 6 are the probes.
    const history = (after: number, strategy: "unwind" | "reset" = "unwind") => run(strategy === "unwind" ? CONTAINED : RESET, [
      rest(MiB, {}, { start: 0, end: 1 }), sibling("inflight", { start: 10, end: 50 }), sibling("inflight", { start: 11, end: 50 }),
      fault(strategy === "unwind" ? "PanicError" : "Abort", { start: 20, end: 30 }), sibling("later", { start: 60, end: 70 }), rest(after, {}, { start: 80, end: 81 }),
    ], strategy === "unwind" ? unwind : {});

    it("holds at the bound exactly", () => {
      const v = resources(history(MiB + 3 * MEMORY_PER_REQUEST));
      expect(v).toMatchObject({ status: "holds", evidence: [] });
      expect(v.summary).toBe(`nothing left in flight or parked; linear memory within its bound (handler ${MiB + 3 * MEMORY_PER_REQUEST} ≤ ${MiB + 3 * MEMORY_PER_REQUEST} B)`);
    });

    it("breaks one byte over it, naming both probes", () => {
      const v = resources(history(MiB + 3 * MEMORY_PER_REQUEST + 1));
      expect(v).toMatchObject({ status: "broken", evidence: [1, 6] });
      expect(v.summary).toBe(`handler: linear memory ${MiB + 3 * MEMORY_PER_REQUEST + 1} B, over ${MiB + 3 * MEMORY_PER_REQUEST} B (${MiB} B before + 64 KiB for each of 3 requests in flight at once): #1, #6`);
    });

    it("a storm's faults, one at a time, add one page between them, not one each", () => {
      const storm = Array.from({ length: 200 }, (_, i) => fault("PanicError", { start: 10 + i * 10, end: 15 + i * 10 }));
      const r = (after: number) => run(CONTAINED, [rest(MiB, {}, { start: 0, end: 1 }), ...storm, rest(after, {}, { start: 5000, end: 5001 })], unwind);
      expect(resources(r(MiB + MEMORY_PER_REQUEST)).status).toBe("holds");
      // A leak of a few hundred bytes per fault, 200 times, is past it.
      expect(resources(r(MiB + 200 * 400)).status).toBe("broken");
    });

    it("a new instance after a reset may be smaller than the old one", () => {
      expect(resources(history(MiB / 2, "reset")).status).toBe("holds");
    });
  });

  describe("at rest: no task in flight, no request parked", () => {
    it("a task left in the table breaks, naming the probe after the run", () => {
      const v = resources(run(CONTAINED, [rest(MiB), fault("PanicError"), rest(MiB, { inFlight: 1 })], unwind));
      expect(v).toMatchObject({ status: "broken", evidence: [3] });
      expect(v.summary).toBe("handler: 1 in-flight task(s) still held at rest: #3");
    });

    it("a request left parked breaks", () => {
      expect(resources(run(CONTAINED, [rest(MiB), fault("PanicError"), rest(MiB, { parked: 2 })], unwind)))
        .toMatchObject({ status: "broken", summary: "handler: 2 parked request(s) still held at rest: #3" });
    });

    it("judges every isolate: the objects' too (split topology)", () => {
      const split = { ...unwind, topology: "split" as const };
      const objects = { isolate: "objects" as const };
      const r = run(CONTAINED, [rest(MiB), rest(MiB, {}, objects), fault("PanicError"), rest(MiB), rest(MiB, { inFlight: 1 }, objects)], split);
      expect(resources(r)).toMatchObject({ status: "broken", evidence: [5], summary: "objects: 1 in-flight task(s) still held at rest: #5" });
    });
  });

  describe("no recovery (none)", () => {
    const NONE = { strategy: "none" as const };
    const POISONED = unrecovered(["Abort"]);

    it("promises nothing about the faulted instance: a memory left at the cap is no break", () => {
      expect(resources(run(POISONED, [rest(MiB), fault("Abort"), rest(64 * MiB, { inFlight: 3 })], NONE)))
        .toMatchObject({ status: "holds", summary: "no recovery: nothing is promised about the instance's resources" });
    });

    it("still judges the isolate the fault did not run in", () => {
      const split = { ...NONE, topology: "split" as const };
      const objects = { isolate: "objects" as const };
      const r = run(POISONED, [rest(MiB), rest(MiB, {}, objects), fault("Abort"), rest(64 * MiB), rest(MiB, { parked: 1 }, objects)], split);
      expect(resources(r)).toMatchObject({ status: "broken", evidence: [5] });
    });
  });

  describe("unknown: what is not reported is not observed, never a pass", () => {
    it("without probes (a profile's worker)", () => {
      expect(resources(run(RESET, [fault("Abort")]))).toMatchObject({ status: "unknown", summary: expect.stringMatching(/^not observed: the worker has no runtime probes/) });
    });

    it("a runtime without a task table (real workers-rs): unknown, though memory and parks were seen at rest", () => {
      const real = (memoryBytes: number) => info({ memoryBytes, parked: 0 });
      expect(resources(run(RESET, [real(MiB), fault("Abort"), real(MiB)])))
        .toMatchObject({ status: "unknown", summary: "not observed: the runtime does not report its in-flight task table" });
    });

    it("but what it does report can still break", () => {
      const real = (memoryBytes: number, parked = 0) => info({ memoryBytes, parked });
      expect(resources(run(RESET, [real(MiB), fault("Abort"), real(MiB, 1)]))).toMatchObject({ status: "broken", evidence: [3] });
      expect(resources(run(RESET, [real(MiB), fault("Abort"), real(64 * MiB)]))).toMatchObject({ status: "broken", evidence: [1, 3] });
    });

    it("a probe after the run that failed, or no memory size", () => {
      expect(resources(run(RESET, [rest(MiB), fault("Abort"), rest(MiB, {}, { status: 500 })])).status).toBe("unknown");
      expect(resources(run(RESET, [rest(MiB), fault("Abort"), info({ inFlight: 0, parked: 0 })])))
        .toMatchObject({ status: "unknown", summary: "not observed: the runtime does not report its linear memory" });
    });
  });
});
