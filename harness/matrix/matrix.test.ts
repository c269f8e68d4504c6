import { describe, expect, it } from "vitest";
import { ABORT, defineScenario } from "../engine/define-scenario.ts";
import { loadScenarios } from "../engine/load-scenarios.ts";
import { prepareRealMutant, REAL_MUTANTS } from "../mutants/real-glue.ts";
import { ownWorkerd } from "../runner/start-worker.ts";
import { MatrixInputError, configurations, runMatrix } from "./matrix.ts";

const catalog = await loadScenarios();
const pick = (...names: string[]) => catalog.filter((s) => names.includes(s.name));

// The matrix over the whole catalog, the negative controls and the mutation score run as the
// regression suite in scenarios/.
describe("the matrix", () => {
  it("expands only the strategies each build can run; a real build runs the one its mode recovers by", () => {
    expect(configurations({ variants: ["abort", "unwind"], topologies: ["shared"] }).map((c) => `${c.variant}/${c.strategy}`))
      .toEqual(["abort/none", "abort/reset", "unwind/unwind"]);
    expect(configurations({ variants: ["real-abort", "real-unwind", "real-legacy"], topologies: ["split"] }).map((c) => `${c.variant}/${c.strategy}`))
      .toEqual(["real-abort/reset", "real-unwind/unwind", "real-legacy/none"]);
    expect(() => configurations({ variants: ["abort"], strategies: ["unwind"] })).toThrow(MatrixInputError);
  });

  it("reports a run that stalls past its deadline as a harness error naming the run, and judges the others", async () => {
    // With this mutant an abort's in-flight siblings are never answered (they wait out the 10 s
    // request deadline), far past a 1 s run deadline, however fast the machine; an abort with no
    // sibling in flight leaves it nothing to strand and takes a fraction of that. (A slow run is
    // not enough: 1,000 parks took longer than 1 s here once and do not on a quiet machine.)
    const alone = defineScenario({
      name: "abort-with-nothing-in-flight", description: "an abort, then later siblings only", fault: { kind: "abort", place: "handler" },
      workload: { later: { handler: 2 } }, expect: ABORT,
    });
    const matrix = await runMatrix({
      scenarios: [...pick("abort-with-siblings"), alone], variants: ["abort"], strategies: ["reset"], topologies: ["shared"],
      mutants: ["stale-siblings-on-fault-timer"], runDeadlineMs: 1_000,
    });
    const [stalled, other] = ["abort-with-siblings", alone.name].map((name) => matrix.results.find((r) => r.scenario === name));
    expect(stalled).toMatchObject({ status: "error", verdicts: [] });
    expect(stalled!.runId).toBe("abort-with-siblings/abort/reset+stale-siblings-on-fault-timer/shared/1");
    expect(stalled!.error).toMatch(/^the run: no progress within 1 s/);
    // The other run, on the fresh workerd the stalled one left it, was judged as usual.
    expect(other!.status, other!.error).not.toBe("error");
    expect(matrix.counts.error).toBe(1);
  }, 60_000);

  // An overloaded machine can stall the harness itself: its deadlines then fire late and its
  // clock reads answers late, so the worker would be judged by the harness's delay. Without
  // recovery (real-legacy) the first attempt leaves the instance poisoned: the second must start
  // on a fresh workerd, or it is a harness error ("never said how many requests it has parked").
  it("runs again, on a fresh workerd, a run during which the harness's own event loop stalled, and says so", async () => {
    const notes: string[] = [];
    let blocking: ReturnType<typeof setInterval> | undefined;
    const matrix = await runMatrix({
      scenarios: pick("abort-with-1000-siblings"), variants: ["real-legacy"], strategies: ["none"], topologies: ["shared"], repeat: 2,
      onProgress: (event) => {
        if (event.note) notes.push(event.note);
        // Through the second run's first attempt, the harness blocks for 600 ms at a time.
        if (event.result && event.done === 1) blocking = setInterval(() => { const until = Date.now() + 600; while (Date.now() < until); }, 200);
        if (event.note?.includes("running it again")) clearInterval(blocking);
      },
    });
    clearInterval(blocking);
    expect(notes.filter((n) => /real-legacy\/none\/shared\/2: the harness's own event loop stalled \d+ ms during the run, so its deadlines and timings were late; running it again/.test(n))).toHaveLength(1);
    // Judged, not a harness error: the second attempt did not inherit the instance the first poisoned.
    expect(matrix.results.map((r) => r.status)).toEqual(["broken", "broken"]);
  }, 180_000);

  it("runs configurations on two workerd processes at once with the verdicts of a run on one, in plan order", async () => {
    const options = { scenarios: pick("panic-with-siblings", "abort-with-siblings", "js-error-with-siblings"), variants: ["abort", "unwind"] as const, topologies: ["shared"] as const };
    const one = await runMatrix(options);
    let most = 0;
    const two = await runMatrix({
      ...options,
      parallel: 2,
      onProgress: () => (most = Math.max(most, ownWorkerd().size)),
    });
    const summary = (m: typeof one) => m.results.map((r) => `${r.runId} ${r.status} ${r.blastRadius}`);
    expect(summary(two)).toEqual(summary(one));
    expect(one.results.map((r) => r.config.variant)).toEqual(["abort", "abort", "abort", "abort", "abort", "abort", "unwind", "unwind", "unwind"]);
    expect(most).toBe(2);
    expect(ownWorkerd().size).toBe(0);
  }, 120_000);

  it("judges each run on its own: a run that leaves the worker unable to answer the harness's probes hands the next a fresh workerd", async () => {
    // A real build whose resets keep the old memory's views: after a fault the instance no longer
    // answers the park count. Each run is named as the one that broke it, and every later run
    // still gets a verdict, not a harness error.
    const distRoot = prepareRealMutant(REAL_MUTANTS.find((m) => m.name === "glue-reset-keeps-memory-views")!, "real-abort");
    const matrix = await runMatrix({
      scenarios: pick("panic-with-siblings", "abort-with-siblings", "js-error-with-siblings"), variants: ["real-abort"], topologies: ["shared"],
      distRoot, requestDeadlineMs: 3_000,
    });
    expect(matrix.results.map((r) => [r.scenario, r.status, r.error])).toEqual([
      ["panic-with-siblings", "broken", undefined], ["abort-with-siblings", "broken", undefined], ["js-error-with-siblings", "broken", undefined],
    ]);
    expect(matrix.notes.filter((n) => n.includes("left the worker unable to serve another run")).map((n) => n.split(" ")[0]))
      .toEqual(matrix.results.map((r) => r.runId));
  }, 120_000);
});
