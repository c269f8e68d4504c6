// The release matrix's judgements on made-up runs: cells fold repeats, a regression is only a
// guarantee an older point kept, and a known bug is asserted only from what was observed.
import { describe, expect, it } from "vitest";
import { judgeRun, type RunResult } from "../checkers/index.ts";
import type { Verdict } from "../checkers/verdict.ts";
import { contained } from "../../scenarios/expectations.ts";
import { fault, info, run as history } from "../testing/synthetic.ts";
import {
  cellText, compareFix, fixComparisonLines, flippedCells, groupRegressions, renderReleaseHtml, judgeKnownBugs, type KnownBug, type ReleaseMatrix, regressionGroupLine, regressions, releaseCells, renderReleaseTable,
} from "./releases.ts";

function run(scenario: string, verdicts: Record<string, Verdict["status"] | string>, blastRadius = 0, variant = "real-unwind"): RunResult {
  const list = Object.entries(verdicts).map(([checker, v]) =>
    ({ checker, status: v === "holds" || v === "unknown" ? v : "broken", summary: v === "holds" || v === "unknown" ? "" : v, evidence: [] }) as unknown as Verdict);
  const status = list.some((v) => v.status === "broken") ? "broken" : list.some((v) => v.status === "unknown") ? "unknown" : "holds";
  return {
    runId: `${scenario}/${variant}/unwind/shared/1`, scenario, config: { variant, strategy: "unwind", topology: "shared", mutants: [], repeat: 1 },
    status, verdicts: list, blastRadius, operations: 1, durationMs: 1, history: { records: [] } as unknown as RunResult["history"],
  } as RunResult;
}

const point = (name: string) => ({ name, worker: name.split("+")[0]!, workerBuild: name.split("+")[0]!, wasmBindgen: name.split("+")[1]!, why: "" });

function matrix(byPoint: Record<string, RunResult[]>): ReleaseMatrix {
  return {
    points: Object.keys(byPoint).map(point), modes: ["real-unwind"], failedPoints: {},
    cells: Object.entries(byPoint).flatMap(([name, results]) => releaseCells(name, results)),
  };
}

describe("the release matrix", () => {
  it("folds repeats into one cell: the worst status, the largest blast radius, every broken checker", () => {
    const [cell] = releaseCells("0.8.7+0.2.130", [run("s", { classification: "holds", liveness: "unknown" }, 3), run("s", { classification: "fault ended as X" }, 7)]);
    expect(cell).toMatchObject({ runs: 2, status: "broken", blastRadius: 7, broken: { classification: "fault ended as X" }, unknown: ["liveness"] });
    expect(renderReleaseTable(matrix({ "0.8.7+0.2.130": [run("s", { classification: "x" }, 7), run("t", { liveness: "unknown" })] })))
      .toMatch(/^s \(shared\)\s+C 7$[\s\S]*^t \(shared\)\s+u 0$/m);
  });

  it("compares a patched point with its base cell by cell: fixed, broken by the fix, broken differently, findings gone and new", () => {
    const m = matrix({
      "0.8.7+0.2.130": [run("fixed", { liveness: "hung" }), run("broke", { state: "holds" }), run("other", { stack: "leak" }), run("same", { stack: "leak" }), run("fine", { state: "holds" })],
      "0.8.7+0.2.130+fix": [run("fixed", { liveness: "holds" }), run("broke", { state: "lost 3" }), run("other", { liveness: "hung" }), run("same", { stack: "leak" }), run("fine", { state: "holds" })],
    });
    const c = compareFix(m, "0.8.7+0.2.130", "0.8.7+0.2.130+fix");
    expect(c.compared).toBe(5);
    expect(c.fixed.map((x) => x.scenario)).toEqual(["fixed"]);
    expect(c.broke.map((x) => [x.scenario, x.before, x.after])).toEqual([["broke", "ok 0", "S 0"]]);
    expect(c.changed.map((x) => x.scenario)).toEqual(["other"]);
    expect(c).toMatchObject({ findingsGone: [], findingsNew: ["S"] });
    expect(fixComparisonLines(c)[0]).toBe("0.8.7+0.2.130 → 0.8.7+0.2.130+fix (5 cells judged on both): 1 broken → holds, 1 holds → broken, 1 broken differently; findings gone: none; new: S");
    // A fix that clears one of two broken guarantees changed the cell, though it is broken still.
    const partly = compareFix(matrix({ a: [run("s", { stack: "leak", liveness: "hung" })], b: [run("s", { stack: "leak", liveness: "holds" })] }), "a", "b");
    expect(partly.changed.map((x) => [x.before, x.after])).toEqual([["K,L 0", "K 0"]]);
    // A fix that changes nothing says so: no cell moved.
    const same = compareFix(matrix({ a: [run("s", { stack: "leak" })], b: [run("s", { stack: "leak" })] }), "a", "b");
    expect([same.fixed, same.broke, same.changed]).toEqual([[], [], []]);
  });

  it("escapes what the worker said in the HTML page, quotes included", () => {
    const page = renderReleaseHtml(matrix({ "0.8.7+0.2.130": [run("s", { classification: `fault ended as 'x"<b>&` })] }), []);
    expect(page).toContain("fault ended as &#39;x&quot;&lt;b&gt;&amp;");
    expect(page).not.toContain("<b>&");
  });

  it("names a regression only where an older point of the same mode held that guarantee", () => {
    const m = matrix({
      "0.8.5+0.2.126": [run("kept", { stack: "holds" }), run("never", { stack: "leak" }), run("unseen", { stack: "unknown" })],
      "0.8.7+0.2.130": [run("kept", { stack: "leak at #3" }), run("never", { stack: "leak" }), run("unseen", { stack: "leak" })],
    });
    expect(regressions(m)).toEqual([
      { mode: "real-unwind", scenario: "kept", topology: "shared", checker: "stack", newest: "0.8.7+0.2.130", keptBy: ["0.8.5+0.2.126"], evidence: "leak at #3" },
    ]);
  });

  it("a patched point is not a release: never the newest, never an older point that kept a guarantee", () => {
    const m = matrix({
      "0.8.5+0.2.126": [run("kept", { stack: "holds" })],
      "0.8.7+0.2.130": [run("kept", { stack: "leak at #3" })],
      "0.8.7+0.2.130+fix": [run("kept", { stack: "holds" })],
    });
    m.points[2]!.base = "0.8.7+0.2.130";
    expect(regressions(m).map((r) => [r.newest, r.keptBy])).toEqual([["0.8.7+0.2.130", ["0.8.5+0.2.126"]]]);
  });

  it("asserts a known bug present-then-fixed only from the runs, and says why when it cannot", () => {
    const bug: KnownBug = {
      id: "wasm-bindgen#5260", title: "t", mode: "real-unwind", scenario: "p", topology: "shared", checker: "classification",
      evidence: "Unrecognised", lastAffected: "0.8.5+0.2.126", fixedIn: "0.8.5+0.2.127",
    };
    const judged = (before: RunResult[], after: RunResult[]) => judgeKnownBugs(matrix({ "0.8.5+0.2.126": before, "0.8.5+0.2.127": after }), [bug])[0]!.status;
    expect(judged([run("p", { classification: "fault ended as Unrecognised" })], [run("p", { classification: "holds" })])).toBe("present-then-fixed");
    expect(judged([run("p", { classification: "holds" })], [run("p", { classification: "holds" })])).toBe("not reproduced");
    expect(judged([run("p", { classification: "fault ended as Canceled" })], [run("p", { classification: "holds" })])).toBe("not reproduced");
    expect(judged([run("p", { classification: "fault ended as Unrecognised" })], [run("p", { classification: "fault ended as Unrecognised" })])).toBe("not fixed");
    // Fixed, though the checker breaks for another reason: the verdict says so.
    expect(judgeKnownBugs(matrix({ "0.8.5+0.2.126": [run("p", { classification: "fault ended as Unrecognised" })], "0.8.5+0.2.127": [run("p", { classification: "fault ended as Canceled" })] }), [bug])[0])
      .toMatchObject({ status: "present-then-fixed", detail: "0.8.5+0.2.126 real-unwind p (shared): fault ended as Unrecognised; 0.8.5+0.2.127: classification breaks otherwise: fault ended as Canceled" });
    expect(judged([run("p", { classification: "fault ended as Unrecognised" })], [run("p", { classification: "unknown" })])).toBe("not observed");
    expect(judged([run("p", { classification: "fault ended as Unrecognised" })], [])).toBe("not observed");
  });

  it("asserts a leak by the heap it keeps per fault, where its checker breaks for less after the fix too", () => {
    const bug: KnownBug = {
      id: "wasm-bindgen#5214", title: "t", mode: "real-unwind", scenario: "p", topology: "shared", checker: "memory-growth",
      evidence: "live heap", heapBytesPerFaultAbove: 1_000, lastAffected: "0.8.5+0.2.126", fixedIn: "0.8.5+0.2.127",
    };
    // 200 faults; the heap after them is `kept` per fault above where it started.
    const leaking = (kept: number | undefined) => {
      const measured = judgeRun(history(contained(["JsError"]), [
        info(kept === undefined ? {} : { heapBytes: 1_000 }), ...Array.from({ length: 200 }, () => fault("JsError")), info(kept === undefined ? {} : { heapBytes: 1_000 + 200 * kept }),
      ], { strategy: "unwind" }));
      return { ...run("p", { "memory-growth": kept === undefined ? "unknown" : `handler: live heap ${1_000 + 200 * kept} B, over 14000 B` }), heapBytesPerFault: measured.heapBytesPerFault };
    };
    const judged = (before: number | undefined, after: number | undefined) =>
      judgeKnownBugs(matrix({ "0.8.5+0.2.126": [leaking(before)], "0.8.5+0.2.127": [leaking(after)] }), [bug])[0]!;
    expect(judged(1_167, 191)).toMatchObject({
      status: "present-then-fixed",
      detail: "0.8.5+0.2.126 real-unwind p (shared): 1167 B of heap kept per fault; 0.8.5+0.2.127: 191 B of heap kept per fault (memory-growth still breaks, for less: handler: live heap 39200 B, over 14000 B)",
    });
    expect(judged(1_167, 1_001).status).toBe("not fixed");
    expect(judged(900, 191)).toMatchObject({ status: "not reproduced", detail: "0.8.5+0.2.126 real-unwind p (shared): 900 B of heap kept per fault, not above 1000 B" });
    expect(judged(1_167, undefined).status).toBe("not observed");
  });

  it("groups regressions by the finding behind them, from the oldest point that shows it; a cell whose repeats disagree is a flip", () => {
    const attributed = (scenario: string, finding: string | undefined, repeat = 1) => {
      const r = run(scenario, finding ? { recovery: "generation moved by 2 (expected 1)" } : { recovery: "holds" });
      r.config.repeat = repeat;
      for (const v of r.verdicts) if (v.status === "broken") v.finding = finding;
      return r;
    };
    const m = matrix({
      "0.8.0+0.2.118": [attributed("a", undefined), attributed("b", undefined), attributed("c", undefined)],
      "0.8.5+0.2.125": [attributed("a", "F7"), attributed("b", undefined), attributed("c", undefined)],
      "0.8.7+0.2.130": [attributed("a", "F7"), attributed("b", "F7"), attributed("c", "NEW"), attributed("c", undefined, 2)],
    });
    const groups = groupRegressions(m, regressions(m));
    expect(groups.map(regressionGroupLine)).toEqual([
      "F7: 2 cells (recovery; real-unwind), from 0.8.5+0.2.125 on",
      "NEW: 1 cell (recovery; real-unwind), from 0.8.7+0.2.130 on",
    ]);
    expect(flippedCells(m).map((c) => `${c.point} ${c.scenario}`)).toEqual(["0.8.7+0.2.130 c"]);
    expect(cellText(m.cells.find((c) => c.point === "0.8.7+0.2.130" && c.scenario === "c"))).toBe("NEW~ 0");
  });
});
