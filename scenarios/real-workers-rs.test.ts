// Real workers-rs through the whole catalog: the canary on the real `worker` crate, built by the
// real worker-build (default and --panic-unwind modes, each with --no-opt and optimised by
// wasm-opt as shipped), in both topologies, judged by the same
// checkers as the reference runtime and beside upstream's own promises.
//
// A real build that breaks a guarantee the reference runtime keeps is a finding, not a test
// failure: every broken guarantee must be explained by a finding of the registry
// (harness/checkers/findings.json; docs/findings.md gives each one's evidence and cause). A break
// no signature matches is NEW and fails here, naming the run and its evidence, so the registry
// changes only on purpose. A run that could not complete is a harness error and always fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FINDINGS, findingIds, NEW_FINDING } from "../harness/checkers/findings.ts";
import { judgeAgainst, type RunResult } from "../harness/checkers/index.ts";
import { isBroken } from "../harness/checkers/verdict.ts";
import { loadScenarios } from "../harness/engine/load-scenarios.ts";
import { configurations, runMatrix } from "../harness/matrix/matrix.ts";
import { TOPOLOGIES } from "../harness/history/scenario.ts";

const catalog = await loadScenarios();
const seen = new Set<string>();
const regressions: string[] = [];

for (const config of configurations({ variants: ["real-abort", "real-unwind", "real-abort-opt", "real-unwind-opt"] })) {
  const scenarios = catalog.filter((s) => s.expect[config.strategy] && (s.topologies ?? TOPOLOGIES).includes(config.topology));
  describe(`real workers-rs · ${config.variant} (${config.strategy}) · ${config.topology} topology`, () => {
    const results = new Map<string, RunResult[]>();
    beforeAll(async () => {
      const matrix = await runMatrix({ scenarios, variants: [config.variant], topologies: [config.topology] });
      for (const result of matrix.results) results.set(result.scenario, [...(results.get(result.scenario) ?? []), result]);
    }, 600_000);

    it.each(scenarios.map((s) => [s.name]))("%s: every broken guarantee is a known finding", (name) => {
      for (const result of results.get(name)!) {
        expect(result.error, `${result.runId}: a harness error, not a finding`).toBeUndefined();
        const broken = [...result.verdicts, ...(result.upstream ?? [])].filter(isBroken);
        for (const v of broken) for (const id of findingIds(v)) seen.add(id);
        if (result.signal === "regression") regressions.push(`${result.runId}: ${result.upstream!.filter(isBroken).map((v) => `${v.checker} [${v.finding}]`).join(", ")}`);
        const unexplained = broken.filter((v) => findingIds(v).includes(NEW_FINDING)).map((v) => `${v.checker}: ${v.summary}`);
        expect(unexplained, `${result.runId} (blast radius ${result.blastRadius}): breaks no finding explains`).toEqual([]);
      }
    });
  });
}

describe("negative control: real workers-rs --no-panic-recovery held to the reset mode's promises", () => {
  const poisoning = catalog.filter((s) => s.expect.none && s.expect.reset?.reset && !s.fault.storm);
  it.each(poisoning.map((s) => [s.name, s]))("%s is reported broken", async (_, scenario) => {
    const matrix = await runMatrix({ scenarios: [scenario], variants: ["real-legacy"], topologies: ["shared"] });
    for (const result of matrix.results) {
      const broken = judgeAgainst(result.history, scenario.expect.reset!).filter((v) => v.status === "broken");
      expect(broken.map((v) => v.checker), `${result.runId}`).not.toEqual([]);
    }
  }, 60_000);
});

// What a maintainer reads off this suite besides its failures: the promises of upstream's that
// a run broke (known causes, each a regression), and findings the registry has that no run
// showed (found elsewhere: at an older release point, or outside the catalog).
afterAll(() => {
  if (regressions.length) console.log(`upstream's promises broken (${regressions.length} runs):\n  ${regressions.join("\n  ")}`);
  const unseen = FINDINGS.filter((f) => !seen.has(f.id)).map((f) => f.id);
  if (seen.size && unseen.length) console.log(`findings not shown by this run: ${unseen.join(", ")}`);
});
