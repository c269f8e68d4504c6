// The release matrix's judgements on made-up runs: cells fold repeats, a regression is only a
// guarantee an older point kept, and a known bug is asserted only from what was observed.
import { describe, expect, it } from "vitest";
import type { RunResult } from "../checkers/index.ts";
import type { Verdict } from "../checkers/verdict.ts";
import { judgeKnownBugs, type KnownBug, type ReleaseMatrix, regressions, releaseCells, renderReleaseTable } from "./releases.ts";

function run(scenario: string, verdicts: Record<string, Verdict["status"] | string>, blastRadius = 0, variant = "real-unwind"): RunResult {
  const list = Object.entries(verdicts).map(([checker, v]) =>
    ({ checker, status: v === "holds" || v === "unknown" ? v : "broken", summary: v === "holds" || v === "unknown" ? "" : v, evidence: [] }) as unknown as Verdict);
  const status = list.some((v) => v.status === "broken") ? "broken" : list.some((v) => v.status === "unknown") ? "unknown" : "holds";
  return {
    runId: `${scenario}/${variant}/unwind/shared/1`, scenario, config: { variant, strategy: "unwind", topology: "shared", mutants: [], repeat: 1 },
    status, verdicts: list, blastRadius, operations: 1, durationMs: 1, history: {} as RunResult["history"],
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

  it("names a regression only where an older point of the same mode held that guarantee", () => {
    const m = matrix({
      "0.8.5+0.2.126": [run("kept", { stack: "holds" }), run("never", { stack: "leak" }), run("unseen", { stack: "unknown" })],
      "0.8.7+0.2.130": [run("kept", { stack: "leak at #3" }), run("never", { stack: "leak" }), run("unseen", { stack: "leak" })],
    });
    expect(regressions(m)).toEqual([
      { mode: "real-unwind", scenario: "kept", topology: "shared", checker: "stack", newest: "0.8.7+0.2.130", keptBy: ["0.8.5+0.2.126"], evidence: "leak at #3" },
    ]);
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
    expect(judged([run("p", { classification: "fault ended as Unrecognised" })], [run("p", { classification: "unknown" })])).toBe("not observed");
    expect(judged([run("p", { classification: "fault ended as Unrecognised" })], [])).toBe("not observed");
  });
});
