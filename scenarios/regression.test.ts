// The regression suite: every catalog scenario under every strategy, both exception-handling
// encodings and both topologies, one vitest test per run.
import { beforeAll, describe, expect, it } from "vitest";
import { loadScenarios } from "../harness/engine/load-scenarios.ts";
import { type RunResult } from "../harness/checkers/index.ts";
import { configurations, runMatrix } from "../harness/matrix/matrix.ts";
import { TOPOLOGIES } from "../harness/history/scenario.ts";

const catalog = await loadScenarios();

for (const config of configurations({})) {
  const scenarios = catalog.filter((s) => s.expect[config.strategy] && (s.topologies ?? TOPOLOGIES).includes(config.topology));
  describe(`${config.strategy} · ${config.variant} build · ${config.topology} topology`, () => {
    const results = new Map<string, RunResult[]>();
    beforeAll(async () => {
      const matrix = await runMatrix({ scenarios, variants: [config.variant], strategies: [config.strategy], topologies: [config.topology] });
      for (const result of matrix.results) results.set(result.scenario, [...(results.get(result.scenario) ?? []), result]);
    }, 300_000);

    it.each(scenarios.map((s) => [s.name, s.description]))("%s: %s", (name) => {
      const broken = results.get(name)!.flatMap((r) => r.verdicts.filter((v) => v.status === "broken").map((v) => `${r.runId}: ${v.checker}: ${v.summary}`));
      expect(broken).toEqual([]);
    });
  });
}
