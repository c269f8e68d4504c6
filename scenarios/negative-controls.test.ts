// Negative controls: without recovery (`none`) the poisoning scenarios must be reported broken
// when held to what a recovering runtime promises. A harness that passed them could not tell
// a poisoned worker from a healthy one.
import { describe, expect, it } from "vitest";
import { judgeAgainst } from "../harness/checkers/index.ts";
import { loadScenarios } from "../harness/engine/load-scenarios.ts";
import { runMatrix } from "../harness/matrix/matrix.ts";

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

  // The instance left as is goes on failing: poisoning shows in the requests after the fault,
  // not only in a generation that did not move. The canary's abort traps while it holds the
  // state every stateless request needs, so each later request that touches it fails.
  it("abort-with-siblings: the trapped instance stays poisoned, and later siblings show it", async () => {
    const scenario = catalog.find((s) => s.name === "abort-with-siblings")!;
    const matrix = await runMatrix({ scenarios: [scenario], strategies: ["none"], variants: ["abort"], topologies: ["shared"] });
    const [result] = matrix.results;
    expect(result!.status, "none promises nothing here, so its own expectation holds").toBe("holds");
    const { records } = result!.history;
    const failedLater = records.filter((r) => r.role === "later" && r.status !== 200);
    expect(failedLater.length).toBeGreaterThan(0);
    expect(new Set(failedLater.map((r) => r.errorClass))).toEqual(new Set(["Abort"]));
    const blast = judgeAgainst(result!.history, scenario.expect.reset!).find((v) => v.checker === "blast-radius")!;
    expect(blast.status).toBe("broken");
    expect(blast.evidence).toEqual(expect.arrayContaining(failedLater.map((r) => r.id)));
    // The same instance served the whole run, and its shared state is still borrowed at the end.
    const stats = records.filter((r) => r.kind === "stats");
    expect(stats.map((r) => r.body?.generation)).toEqual([stats[0]!.body?.generation, stats[0]!.body?.generation]);
    expect(stats.at(-1)!.body?.served).toBeNull();
  }, 60_000);
});
