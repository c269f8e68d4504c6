import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import type { Expectation } from "../history/scenario.ts";
import { stateSurvival } from "./state-survival.ts";
import { failed, fault, info, release, run, runtime, sibling, type Spec, state, type RunOptions, write } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);
const DO_FAULT: RunOptions = { object: "obj", fault: { place: "durable-object" } };

/**
 * The engine's order for a Durable Object fault (shared topology): 1 info, 2–3 setup writes,
 * 4 first read, 5 in-flight park, 6 fault, 7 release, 8 read after the fault, 9–10 later writes,
 * 11 info, 12 final read. `after` and `final` are the two reads judged; `fault` and the rest can
 * be overridden per case.
 */
function doRun(
  expectation: Expectation,
  { after = state(0, 2), final = state(2, 4), faultSpec = fault("Abort", { kind: "abort@durable-object" }), inflight = sibling("inflight", { kind: "object-park", ...failed("StaleInstance") }) }:
  { after?: Spec; final?: Spec; faultSpec?: Spec; inflight?: Spec } = {},
  options: RunOptions = DO_FAULT,
) {
  return run(expectation, [
    info(runtime(1)), write("setup"), write("setup"), state(2, 2), inflight, faultSpec, release(0), after,
    write("later"), write("later"), info(runtime(2)), final,
  ], options);
}

/**
 * Reads and writes with explicit times: ids 1–2 setup writes, 3 the first read (0–5), 4 the fault
 * (20–30), then `specs`, then a final read (200–210) that stores every acknowledged write and
 * holds in memory every one that began after the fault ended (it surely reached the new instance).
 */
function timed(expectation: Expectation, specs: Spec[], options: RunOptions = DO_FAULT) {
  const acknowledged = specs.filter((s) => (s.kind === "object-increment" || s.body?.wrote === true) && (s.status ?? 200) === 200);
  const inNewMemory = acknowledged.filter((s) => (s.start ?? 0) >= 30).length;
  return run(expectation, [
    write("setup", { start: -20, end: -15 }), write("setup", { start: -10, end: -5 }), state(2, 2, { start: 0, end: 5 }),
    fault("Abort", { kind: "abort@durable-object", start: 20, end: 30 }), ...specs, state(inNewMemory, 2 + acknowledged.length, { start: 200, end: 210 }),
  ], options);
}

describe("state-survival", () => {
  it("holds when every acknowledged write is stored and memory was lost with the reset", () => {
    const v = stateSurvival(doRun(RESET));
    expect(v).toMatchObject({ status: "holds", evidence: [] });
    expect(v.summary).toBe("stored count holds each of the 2 acknowledged writes once; in-memory count lost with the reset, with what reached it");
  });

  it("holds vacuously for a run without a Durable Object", () => {
    expect(stateSurvival(run(RESET, [fault("Abort")]))).toMatchObject({ status: "holds", summary: "no Durable Object in this scenario" });
  });

  it("breaks when an acknowledged write is missing from storage, naming the read", () => {
    const v = stateSurvival(doRun(RESET, { final: state(2, 3) }));
    expect(v).toMatchObject({ status: "broken", evidence: [12] });
    expect(v.summary).toMatch(/^Durable Object state wrong \(stored must hold each acknowledged write once; memory should be reset, plus what reached it\): #12$/);
  });

  it("breaks when storage holds a write nobody had begun", () => {
    expect(stateSurvival(doRun(RESET, { after: state(0, 3) }))).toMatchObject({ status: "broken", evidence: [8] });
  });

  describe("stored count: at least every write acknowledged before the read began, at most every write begun before it ended", () => {
    // The read after the fault runs 100–110; the write's times vary. A write it stores is in the
    // rebuilt instance's memory too (the fault ended at 30): memory follows stored.
    const read = (stored: number) => state(stored - 2, stored, { start: 100, end: 110 });
    const judge = (w: Spec, stored: number) => stateSurvival(timed(RESET, [w, read(stored)])).status;

    it("a write acknowledged exactly when the read began must be stored", () => {
      expect(judge(write("later", { start: 90, end: 100 }), 2)).toBe("broken");
      expect(judge(write("later", { start: 90, end: 100 }), 3)).toBe("holds");
    });

    it("a write acknowledged while the read ran may or may not be stored", () => {
      expect(judge(write("later", { start: 95, end: 105 }), 2)).toBe("holds");
      expect(judge(write("later", { start: 95, end: 105 }), 3)).toBe("holds");
    });

    it("a write begun exactly when the read ended may be stored; one begun after it may not", () => {
      expect(judge(write("later", { start: 110, end: 120 }), 3)).toBe("holds");
      expect(judge(write("later", { start: 110, end: 120 }), 2)).toBe("holds");
      expect(judge(write("later", { start: 111, end: 120 }), 3)).toBe("broken");
    });

    it("a write whose answer was lost (failed, timed out, unreachable) may be durable, and need not be", () => {
      for (const lost of [failed("Abort"), { status: "timeout" as const }, { status: "unreachable" as const }]) {
        expect(judge(write("inflight", { start: 15, end: 50, ...lost }), 3)).toBe("holds");
        expect(judge(write("inflight", { start: 15, end: 50, ...lost }), 2)).toBe("holds");
        expect(judge(write("inflight", { start: 15, end: 50, ...lost }), 4)).toBe("broken");
      }
    });

    it("setup writes before the first read are its baseline, not writes to account for", () => {
      expect(stateSurvival(timed(RESET, [state(0, 2, { start: 100, end: 110 })])).status).toBe("holds");
    });

    it("a read that writes (a profile's counter) is judged without its own write", () => {
      const own = (memory: number, stored: number) => state(memory, stored, { start: 100, end: 110, body: { memory, stored, wrote: true } });
      expect(stateSurvival(timed(RESET, [own(1, 3)])).status).toBe("holds");
      expect(stateSurvival(timed(RESET, [own(1, 4)]))).toMatchObject({ status: "broken", evidence: [5] });
      // Its own write is in the rebuilt instance's memory too; a second one is not.
      expect(stateSurvival(timed(RESET, [own(2, 3)]))).toMatchObject({ status: "broken", evidence: [3, 5] });
    });
  });

  describe("memory after a reset: only writes that may have reached the rebuilt object", () => {
    // Record ids: 1–2 setup, 3 first read, 4 fault (20–30), 5 the write, 6 the read judged, 7 the final read.
    // The read stores what it must (the write, if acknowledged before it began): only memory is at stake.
    const judge = (w: Spec, memory: number) => {
      const stored = 2 + ((w.status ?? 200) === 200 && w.end! <= 100 ? 1 : 0);
      return stateSurvival(timed(RESET, [w, state(memory, stored, { start: 100, end: 110 })]));
    };

    it("memory is back at zero: holds", () => {
      expect(stateSurvival(timed(RESET, [state(0, 2, { start: 100, end: 110 })])).status).toBe("holds");
    });

    it("memory kept through a reset breaks, naming the first read and the read after the fault", () => {
      const v = stateSurvival(timed(RESET, [state(2, 2, { start: 100, end: 110 })]));
      expect(v).toMatchObject({ status: "broken", evidence: [3, 5] });
      expect(v.summary).toMatch(/memory should be reset/);
    });

    it("a write acknowledged before the fault began went to the old instance: not in the new memory", () => {
      expect(judge(write("inflight", { start: 10, end: 20 }), 1)).toMatchObject({ status: "broken", evidence: [3, 6] });
    });

    it("a write acknowledged after the fault began may be in the new memory", () => {
      expect(judge(write("inflight", { start: 10, end: 21 }), 1).status).toBe("holds");
    });

    it("a write whose caller failed may have reached the rebuilt object, even if it failed before the fault", () => {
      // The caller dies with the old instance after the object (rebuilt) already applied it.
      expect(judge(write("inflight", { start: 10, end: 15, ...failed("StaleInstance") }), 1).status).toBe("holds");
      expect(judge(write("inflight", { start: 15, end: 35, ...failed("StaleInstance") }), 1).status).toBe("holds");
      expect(judge(write("inflight", { start: 15, end: 35, ...failed("StaleInstance") }), 2)).toMatchObject({ status: "broken", evidence: [3, 6] });
    });

    it("a write begun after the read ended cannot be in its memory", () => {
      expect(judge(write("later", { start: 111, end: 120 }), 1)).toMatchObject({ status: "broken", evidence: [3, 6] });
      expect(judge(write("later", { start: 110, end: 120 }), 1).status).toBe("holds");
    });

    it("the object's isolate is reset only when the fault ran there: split topology, DO fault", () => {
      const split: RunOptions = { ...DO_FAULT, topology: "split" };
      expect(stateSurvival(doRun(RESET, {}, split)).summary).toMatch(/in-memory count lost with the reset/);
    });
  });

  describe("memory kept when the object's isolate is not reset", () => {
    const CONTAINED = contained(["PanicError"]);
    const unwind: RunOptions = { ...DO_FAULT, strategy: "unwind" };
    const panic = fault("PanicError", { kind: "panic@durable-object" });

    it("kept (or grown by writes) holds", () => {
      expect(stateSurvival(doRun(CONTAINED, { after: state(2, 2), final: state(4, 4), faultSpec: panic }, unwind))).toMatchObject({ status: "holds" });
      expect(stateSurvival(doRun(CONTAINED, { after: state(2, 2), final: state(4, 4), faultSpec: panic }, unwind)).summary).toMatch(/in-memory count kept/);
      expect(stateSurvival(doRun(CONTAINED, { after: state(3, 3), final: state(5, 5), faultSpec: panic, inflight: write("inflight") }, unwind)).status).toBe("holds");
    });

    it("memory lost without a reset breaks, naming the first read and every read that lost it", () => {
      const v = stateSurvival(doRun(CONTAINED, { after: state(1, 2), final: state(3, 4), faultSpec: panic }, unwind));
      expect(v).toMatchObject({ status: "broken", evidence: [4, 8, 12] });
      expect(v.summary).toMatch(/memory should be kept/);
    });

    it("a reset of the other isolate keeps the object's memory: split topology, handler fault", () => {
      const handlerFault: RunOptions = { object: "obj", topology: "split", fault: { place: "handler" } };
      expect(stateSurvival(doRun(RESET, { after: state(2, 2), final: state(4, 4) }, handlerFault)).status).toBe("holds");
      expect(stateSurvival(doRun(RESET, { after: state(0, 2), final: state(4, 4) }, handlerFault))).toMatchObject({ status: "broken", evidence: [4, 8] });
    });
  });

  describe("in-memory count exactly: at least what surely reached it, at most one more per request that may have", () => {
    const CONTAINED = contained(["PanicError"]);
    const unwind: RunOptions = { ...DO_FAULT, strategy: "unwind" };
    const panic = fault("PanicError", { kind: "panic@durable-object" });
    // The reference canary's park counts itself in memory, and its panicking counter counts
    // before it panics; the real canary's do neither. Both are "may", never "surely".
    const park = sibling("inflight", { kind: "object-park" });
    const judge = (after: Spec, final: Spec) => stateSurvival(doRun(CONTAINED, { after, final, faultSpec: panic, inflight: park }, unwind));

    it("a park and a panicking counter may each count once, or not at all", () => {
      expect(judge(state(4, 2), state(6, 4)).status).toBe("holds");
      expect(judge(state(2, 2), state(4, 4)).status).toBe("holds");
    });

    it("one request counted twice breaks (a retried panic): naming the first read and the read", () => {
      expect(judge(state(5, 2), state(7, 4))).toMatchObject({ status: "broken", evidence: [4, 8, 12] });
      expect(judge(state(4, 2), state(7, 4))).toMatchObject({ status: "broken", evidence: [4, 12] });
    });

    it("an acknowledged write missing from memory breaks, though memory did not go down", () => {
      expect(judge(state(2, 2), state(3, 4))).toMatchObject({ status: "broken", evidence: [4, 12] });
    });

    it("after a reset, a write begun when the fault ended surely reached the new instance; one begun before may have", () => {
      const read = (memory: number) => state(memory, 3, { start: 100, end: 110 });
      expect(stateSurvival(timed(RESET, [write("later", { start: 30, end: 40 }), read(0)]))).toMatchObject({ status: "broken", evidence: [3, 6] });
      expect(stateSurvival(timed(RESET, [write("later", { start: 30, end: 40 }), read(1)])).status).toBe("holds");
      for (const memory of [0, 1]) expect(stateSurvival(timed(RESET, [write("later", { start: 29, end: 40 }), read(memory)])).status).toBe("holds");
    });

    it("after a reset, a park held in flight by the barrier counted in the old memory; one sent alongside the fault may count in the new", () => {
      expect(stateSurvival(doRun(RESET, { after: state(1, 2) }))).toMatchObject({ status: "broken", evidence: [4, 8] });
      const concurrent = sibling("concurrent", { kind: "object-park", ...failed("StaleInstance") });
      expect(stateSurvival(doRun(RESET, { after: state(1, 2), final: state(3, 4), inflight: concurrent })).status).toBe("holds");
    });

    it("after a reset, the fault on the object counted only in the memory that went with it", () => {
      expect(stateSurvival(timed(RESET, [state(1, 2, { start: 100, end: 110 })]))).toMatchObject({ status: "broken", evidence: [3, 5] });
    });
  });

  describe("an unreadable object", () => {
    const NONE: RunOptions = { ...DO_FAULT, strategy: "none" };
    const POISONED = unrecovered(["Abort"]);

    it("under a poisoned expectation (no recovery): holds, storage not checked", () => {
      for (const after of [state(0, 0, failed("Abort")), state(0, 0, { status: "timeout" })]) {
        const v = stateSurvival(doRun(POISONED, { after, final: state(0, 0, failed("Abort")) }, NONE));
        expect(v).toMatchObject({ status: "holds", evidence: [] });
        expect(v.summary).toMatch(/object unreadable through the poisoned instance/);
      }
      expect(stateSurvival(doRun(POISONED, { final: state(0, 0, { status: "unreachable" }) }, NONE)).status).toBe("holds");
    });

    it("under a poisoned expectation a readable object is still judged: acknowledged writes must be stored", () => {
      expect(stateSurvival(doRun(POISONED, { after: state(2, 2), final: state(4, 3) }, NONE))).toMatchObject({ status: "broken", evidence: [12] });
    });

    it("where recovery is promised: broken, naming the unreadable reads", () => {
      const v = stateSurvival(doRun(RESET, { after: state(0, 0, failed("StaleInstance")), final: state(0, 0, { status: "timeout" }) }));
      expect(v).toMatchObject({ status: "broken", evidence: [8, 12] });
    });
  });

  it("is never unknown: it has no probe to miss, so every history above is holds or broken", () => {
    const verdicts = [doRun(RESET), doRun(RESET, { final: state(2, 3) }), run(RESET, [fault("Abort")])].map(stateSurvival);
    expect(verdicts.map((v) => v.status)).toEqual(["holds", "broken", "holds"]);
  });

  // A profile's read whose counts do not parse comes back 200 without a body
  // (harness/profile/profile-client.ts); the counts are NaN and every bound comparison is false.
  it("reads that answered without counts are not observed: unknown, not holds", () => {
    const noCounts = (more: Partial<Spec> = {}) => ({ ...state(0, 0), body: undefined, ...more });
    const r = run(RESET, [write("setup"), noCounts(), fault("Abort"), noCounts(), write("later"), noCounts()], DO_FAULT);
    expect(stateSurvival(r)).toMatchObject({ status: "unknown", summary: "not observed: the object's reads answered without in-memory and stored counts" });
  });

  it("a run on an object with no reads of it is unknown, not a crash", () => {
    const r = run(RESET, [write("setup"), fault("Abort"), write("later")], DO_FAULT);
    expect(stateSurvival(r).status).toBe("unknown");
  });
});
