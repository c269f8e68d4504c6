// The harness never hangs, whatever the worker does. The stale-siblings-on-fault-timer mutant is
// a runtime whose parked siblings never settle: an abort takes them out of the parking lot but
// fails them from a timer of the faulting request, and workerd drops that timer when the
// request ends (a timer or promise owned by an ended request never fires). A full `wrh run`
// against such a runtime once stalled for good; now every request and every run has a deadline.
//
// Which result is honest depends on which deadline ends the wait:
// - a request deadline: the siblings really never answered, the run completes and is judged,
//   and liveness is broken (the worker's failure; the mutation score counts it);
// - a run deadline shorter than that: the harness gave up before it could judge, so the run is
//   a harness error that names it, never a verdict on the worker.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadScenarios } from "../harness/engine/load-scenarios.ts";
import { type MatrixResult } from "../harness/checkers/index.ts";
import { runMatrix } from "../harness/matrix/matrix.ts";

const catalog = await loadScenarios();
// Handler faults whose siblings stall (panic, abort, JS error, a swallowed abort, a storm), and a
// fault inside the Durable Object, whose timer outlives the request (the object's context does).
const STALLING = ["panic-with-siblings", "abort-with-siblings", "js-error-with-siblings", "reentrant-abort-swallowed", "repeated-resets"];
const selection = catalog.filter((s) => [...STALLING, "object-abort"].includes(s.name));
const MUTANT = { variants: ["abort"], strategies: ["reset"], topologies: ["shared"], mutants: ["stale-siblings-on-fault-timer"] } as const;

/** workerd processes this test process started and has not stopped. */
function workerdChildren(): number {
  try {
    return execFileSync("pgrep", ["-P", String(process.pid), "-x", "workerd"], { encoding: "utf8" }).split("\n").filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

/**
 * How long each request waited past the point its deadline counts from: its start, or for an
 * in-flight sibling the fault's answer (engine/execute.ts: nothing is late while the harness is
 * still sending the fault).
 */
const durations = (matrix: MatrixResult) => matrix.results.flatMap((r) => {
  const faultEnd = Math.max(...r.history.records.filter((f) => f.role === "fault").map((f) => f.end));
  return r.history.records.map((record) => record.end - (record.role === "inflight" ? Math.max(record.start, faultEnd) : record.start));
});

describe("against a runtime whose parked siblings never settle", () => {
  it("a request deadline ends each wait: the hung siblings are judged, liveness broken, and every run completes", async () => {
    expect(selection.map((s) => s.name).sort()).toEqual([...STALLING, "object-abort"].sort());
    const requestDeadlineMs = 2_000;
    const matrix = await runMatrix({ scenarios: selection, ...MUTANT, requestDeadlineMs });
    for (const result of matrix.results) {
      expect(result.status, `${result.runId}: ${result.error}`).not.toBe("error");
      const hung = result.history.records.filter((r) => r.status === "timeout");
      if (hung.length) expect(result.verdicts.find((v) => v.checker === "liveness")?.status, result.runId).toBe("broken");
    }
    const stalled = matrix.results.filter((r) => STALLING.includes(r.scenario));
    expect(stalled.every((r) => r.status === "broken"), stalled.map((r) => `${r.runId}: ${r.status}`).join("\n")).toBe(true);
    // No request outlived its deadline by more than the client's own scheduling.
    expect(Math.max(...durations(matrix))).toBeLessThan(requestDeadlineMs + 2_000);
    expect(workerdChildren()).toBe(0);
  }, 120_000);

  it("a run deadline shorter than the requests' ends a stalled run as a harness error naming it; workerd is replaced and stopped", async () => {
    // Well under the 10 s the hung siblings wait for, well over what the other run needs.
    const runDeadlineMs = 4_000;
    const scenarios = selection.filter((s) => s.name === "panic-with-siblings" || s.name === "object-abort");
    const started = Date.now();
    const matrix = await runMatrix({ scenarios, ...MUTANT, runDeadlineMs });
    const stalled = matrix.results.find((r) => r.scenario === "panic-with-siblings")!;
    expect(stalled).toMatchObject({ status: "error", runId: "panic-with-siblings/abort/reset+stale-siblings-on-fault-timer/shared/1", verdicts: [] });
    expect(stalled.error).toMatch(/no progress within 4 s/);
    // The next run got a fresh workerd and was judged.
    expect(matrix.results.find((r) => r.scenario === "object-abort")!.status).not.toBe("error");
    expect(matrix.counts.error).toBe(1);
    // Each run within its deadline, plus starting and stopping workerd.
    expect(Date.now() - started).toBeLessThan(scenarios.length * (runDeadlineMs + 10_000));
    expect(workerdChildren()).toBe(0);
  }, 120_000);
});
