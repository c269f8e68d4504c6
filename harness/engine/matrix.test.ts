import { describe, expect, it } from "vitest";
import { loadScenarios } from "./load-scenarios.ts";
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

  it("reports a run that stalls past its deadline as a harness error naming the run, and goes on", async () => {
    // On real workers-rs (shared topology) the parked Durable Object requests never answer
    // (docs/findings.md F3): the run takes the 10 s request deadline, far past a 2 s run deadline.
    const matrix = await runMatrix({
      scenarios: pick("panic-with-siblings", "reentrant-panic-at-depth-1"), variants: ["real-abort"], topologies: ["shared"], runDeadlineMs: 2_000,
    });
    const [stalled, next] = matrix.results;
    expect(stalled).toMatchObject({ status: "error", verdicts: [] });
    expect(stalled!.error).toMatch(/^run panic-with-siblings\/real-abort\/reset\/shared\/1: no progress within 2 s/);
    // The next run got a fresh workerd and was judged as usual.
    expect(next!.status).not.toBe("error");
    expect(matrix.counts.error).toBe(1);
  }, 60_000);
});
