// Mutation testing of the harness: each mutant puts one known bug class back into the runtime;
// the catalog must catch every one (a scenario whose run breaks a guarantee).
import { afterAll, describe, expect, it } from "vitest";
import { loadScenarios } from "../harness/engine/load-scenarios.ts";
import { runMatrix } from "../harness/engine/matrix.ts";
import { MUTANT_NAMES, type Mutant } from "../harness/protocol/recovery.ts";

const catalog = await loadScenarios();
const caughtBy = new Map<Mutant, string[]>();

describe("mutation score of the catalog", () => {
  it.each(MUTANT_NAMES)("%s is caught", async (mutant) => {
    // The recovering strategies on both builds; the shared topology exposes every mutant.
    const matrix = await runMatrix({
      scenarios: catalog, variants: ["abort", "unwind"], strategies: ["reset", "unwind"], topologies: ["shared"], mutants: [mutant],
    });
    const scenarios = [...new Set(matrix.results.filter((r) => !r.ok).map((r) => r.scenario))];
    caughtBy.set(mutant, scenarios);
    expect(scenarios.length).toBeGreaterThan(0);
  }, 120_000);

  afterAll(() => {
    const caught = MUTANT_NAMES.filter((m) => caughtBy.get(m)?.length);
    const lines = MUTANT_NAMES.map((m) => `  ${m.padEnd(26)} ${caughtBy.get(m)?.length ?? 0} scenario(s): ${(caughtBy.get(m) ?? []).join(", ")}`);
    console.log(`mutation score: ${caught.length}/${MUTANT_NAMES.length} (${Math.round((100 * caught.length) / MUTANT_NAMES.length)} %)\n${lines.join("\n")}`);
  });
});
