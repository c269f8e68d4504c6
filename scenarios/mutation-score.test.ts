// Mutation testing of the harness: each mutant puts one known bug class back into the runtime;
// the catalog must catch every one (a scenario whose run breaks a guarantee). Scenarios are
// tried in catalog order and the first that catches a mutant ends its search. A run the
// harness could not complete is not a catch: it fails the test as the harness's error.
import { afterAll, describe, expect, it } from "vitest";
import { loadScenarios } from "../harness/engine/load-scenarios.ts";
import { runMatrix } from "../harness/matrix/matrix.ts";
import { MUTANT_NAMES, type Mutant } from "../harness/protocol/recovery.ts";

const catalog = await loadScenarios();
const caughtBy = new Map<Mutant, string>();

describe("mutation score of the catalog", () => {
  it.each(MUTANT_NAMES)("%s is caught", async (mutant) => {
    for (const scenario of catalog) {
      // The recovering strategies on both builds; the shared topology exposes every mutant.
      const matrix = await runMatrix({
        scenarios: [scenario], variants: ["abort", "unwind"], strategies: ["reset", "unwind"], topologies: ["shared"], mutants: [mutant],
      });
      const errored = matrix.results.find((r) => r.status === "error");
      expect(errored, `${errored?.runId}: harness error under ${mutant}, not a catch: ${errored?.error}`).toBeUndefined();
      const broken = matrix.results.find((r) => r.status === "broken");
      if (broken) {
        caughtBy.set(mutant, `${broken.runId}: ${broken.verdicts.filter((v) => v.status === "broken").map((v) => v.checker).join(", ")}`);
        break;
      }
    }
    expect(caughtBy.get(mutant), `no scenario catches ${mutant}`).toBeDefined();
  }, 300_000);

  afterAll(() => {
    const caught = MUTANT_NAMES.filter((m) => caughtBy.has(m)).length;
    const lines = MUTANT_NAMES.map((m) => `  ${m.padEnd(Math.max(...MUTANT_NAMES.map((name) => name.length)) + 1)} ${caughtBy.get(m) ?? "NOT CAUGHT"}`);
    console.log(`mutation score: ${caught}/${MUTANT_NAMES.length} (${Math.round((100 * caught) / MUTANT_NAMES.length)} %)\n${lines.join("\n")}`);
  });
});
