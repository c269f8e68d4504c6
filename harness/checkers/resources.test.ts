import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { resources } from "./resources.ts";
import { fault, info, run, sibling, type Spec } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);
const CONTAINED = contained(["PanicError"]);
const unwind = { strategy: "unwind" as const };
const MiB = 1_048_576;
/** The reference runtime's info (linear memory, tasks in flight, requests parked), then the record's own fields. */
const rest = (memoryBytes: number, body: Record<string, unknown> = {}, more: Partial<Spec> = {}) => info({ memoryBytes, inFlight: 0, parked: 0, ...body }, more);

describe("resources", () => {
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

    it("promises nothing about the faulted instance: tasks left in its table are no break", () => {
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

    it("a runtime without a task table (real workers-rs): unknown, though parks were seen at rest", () => {
      const real = (memoryBytes: number) => info({ memoryBytes, parked: 0 });
      expect(resources(run(RESET, [real(MiB), fault("Abort"), real(MiB)])))
        .toMatchObject({ status: "unknown", summary: "not observed: the runtime does not report its in-flight task table" });
    });

    it("but what it does report can still break", () => {
      const real = (memoryBytes: number, parked = 0) => info({ memoryBytes, parked });
      expect(resources(run(RESET, [real(MiB), fault("Abort"), real(MiB, 1)]))).toMatchObject({ status: "broken", evidence: [3] });
    });

    it("a probe after the run that failed", () => {
      expect(resources(run(RESET, [rest(MiB), fault("Abort"), rest(MiB, {}, { status: 500 })])).status).toBe("unknown");
    });
  });
});
