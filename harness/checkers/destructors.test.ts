import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { destructors } from "./destructors.ts";
import { fault, run, stats } from "../testing/synthetic.ts";

const CONTAINED = contained(["PanicError"]);
const UNWIND = { strategy: "unwind" as const };
/** The reference canary's counters: generation `g`, `pending` destructors owed, std panicking or not. */
const guest = (g: number, pending: number, panicking = false) => ({ generation: g, drops: 7, pendingDrops: pending, panicking });

describe("destructors", () => {
  it("holds when the instance lived on and owes no more destructors than before", () => {
    expect(destructors(run(CONTAINED, [stats(guest(1, 0)), fault("PanicError"), stats(guest(1, 0))], UNWIND)))
      .toMatchObject({ status: "holds", evidence: [], summary: "instance lived on: every destructor its faults owed ran, panic state at rest" });
    // Fewer owed after than before (a value made before the run dropped during it) is no debt.
    expect(destructors(run(CONTAINED, [stats(guest(1, 2)), fault("PanicError"), stats(guest(1, 1))], UNWIND)).status).toBe("holds");
  });

  it("breaks on one destructor owed, naming both probes", () => {
    const v = destructors(run(CONTAINED, [stats(guest(1, 0)), fault("PanicError"), stats(guest(1, 1))], UNWIND));
    expect(v).toMatchObject({ status: "broken", evidence: [1, 3] });
    expect(v.summary).toBe("1 destructor(s) never ran: frames were left without unwinding: #1, #3");
  });

  it("breaks on a panic count left raised, naming the probe that shows it", () => {
    const v = destructors(run(CONTAINED, [stats(guest(1, 0)), fault("PanicError"), stats(guest(1, 0, true))], UNWIND));
    expect(v).toMatchObject({ status: "broken", evidence: [3], summary: "std still reports a panic in progress: #3" });
    // Both at once: each probe named once.
    const both = destructors(run(CONTAINED, [stats(guest(1, 0)), fault("PanicError"), stats(guest(1, 1, true))], UNWIND));
    expect(both).toMatchObject({ status: "broken", evidence: [1, 3] });
    expect(both.summary).toMatch(/^1 destructor\(s\) never ran.*; std still reports a panic in progress: #1, #3$/);
    // Already raised before the run: not this run's doing.
    expect(destructors(run(CONTAINED, [stats(guest(1, 0, true)), fault("PanicError"), stats(guest(1, 0, true))], UNWIND)).status).toBe("holds");
  });

  it("compares only the first and last reads of the faulted isolate", () => {
    const split = { ...UNWIND, topology: "split" as const };
    const records = [
      stats(guest(1, 0)), stats(guest(1, 0), { isolate: "objects" }), fault("PanicError"),
      stats(guest(1, 5)), stats(guest(1, 0)), stats(guest(1, 3), { isolate: "objects" }),
    ];
    expect(destructors(run(CONTAINED, records, split)).status).toBe("holds");
    expect(destructors(run(CONTAINED, records, { ...split, fault: { place: "durable-object" } })))
      .toMatchObject({ status: "broken", evidence: [2, 6] });
  });

  it("holds vacuously where the instance was replaced, or under none", () => {
    expect(destructors(run(resets(["Abort"]), [stats(guest(1, 0)), fault("Abort"), stats(guest(2, 0))], UNWIND)))
      .toMatchObject({ status: "holds", summary: "instance replaced: what its frames owed went with it" });
    expect(destructors(run(unrecovered(["Abort"]), [stats(guest(1, 0)), fault("Abort"), stats(guest(1, 1))], { strategy: "none" })))
      .toMatchObject({ status: "holds", summary: "no recovery: a trap skips destructors, and nothing is promised" });
  });

  it("unknown without two reads of the guest's counters, or counters that do not say what is owed", () => {
    expect(destructors(run(CONTAINED, [stats(guest(1, 0)), fault("PanicError")], UNWIND)))
      .toMatchObject({ status: "unknown", summary: "not observed: the run has no reads of the guest's own counters (/stats) before and after the fault" });
    // The real canary's counters: drops, but nothing about what is still owed.
    const real = { generation: 1, drops: 3, served: 4 };
    expect(destructors(run(CONTAINED, [stats(real), fault("PanicError"), stats(real)], UNWIND)))
      .toMatchObject({ status: "unknown", summary: "not observed: the guest's counters do not say which destructors are still owed" });
    expect(destructors(run(CONTAINED, [stats(guest(1, 0)), fault("PanicError"), stats({}, { status: "timeout" })], UNWIND)))
      .toMatchObject({ status: "unknown", summary: "not observed: the guest's counters do not say which instance answered" });
    // A replaced instance owes nothing, whatever the counters can say.
    expect(destructors(run(resets(["Abort"]), [stats(real), fault("Abort"), stats({ ...real, generation: 2 })], UNWIND)).status).toBe("holds");
  });
});
