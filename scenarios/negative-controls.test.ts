// Negative controls: without recovery (`none`) the poisoning scenarios must be reported broken
// when held to what a recovering runtime promises. A harness that passed them could not tell
// a poisoned worker from a healthy one.
import { describe, expect, it } from "vitest";
import { judgeAgainst } from "../harness/checkers/index.ts";
import { loadScenarios } from "../harness/engine/load-scenarios.ts";
import { runMatrix } from "../harness/engine/matrix.ts";

const catalog = await loadScenarios();
// Poisoning: a recovering strategy has to throw the instance away.
const poisoning = catalog.filter((s) => s.expect.none && s.expect.reset?.reset);

describe("negative controls: strategy none held to the reset strategy's promises", () => {
  it.each(poisoning.map((s) => [s.name, s]))("%s is reported broken", async (_, scenario) => {
    const matrix = await runMatrix({ scenarios: [scenario], strategies: ["none"], variants: ["abort"] });
    for (const result of matrix.results) {
      const broken = judgeAgainst(result.history, scenario.expect.reset!).filter((v) => v.status === "broken");
      console.log(`${result.runId}: broken: ${broken.map((v) => v.checker).join(", ")}`);
      expect(broken.map((v) => v.checker)).toContain("recovery");
    }
  }, 60_000);
});
