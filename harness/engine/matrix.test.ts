// The engine judges the reference runtime sound and each mutant broken.
import { describe, expect, it } from "vitest";
import type { Mutant } from "../protocol/recovery.ts";
import { loadScenarios } from "./load-scenarios.ts";
import { MatrixInputError, configurations, runMatrix } from "./matrix.ts";

const catalog = await loadScenarios();
const named = (...names: string[]) => catalog.filter((s) => names.includes(s.name));

describe("the matrix", () => {
  it("expands only the strategies each build can run", () => {
    expect(configurations({ variants: ["abort", "unwind"], topologies: ["shared"] }).map((c) => `${c.variant}/${c.strategy}`))
      .toEqual(["abort/none", "abort/reset", "unwind/unwind"]);
    expect(() => configurations({ variants: ["abort"], strategies: ["unwind"] })).toThrow(MatrixInputError);
  });

  it("finds every guarantee held by the reference runtime, in both topologies", async () => {
    const matrix = await runMatrix({ scenarios: catalog });
    const broken = matrix.results.filter((r) => !r.ok).map((r) => `${r.runId}: ${r.verdicts.filter((v) => !v.ok).map((v) => v.summary).join("; ")}`);
    expect(broken).toEqual([]);
    expect(matrix.results.length).toBe(catalog.length * 4 * 2);
  }, 120_000);
});

// For each mutant, scenarios that must expose it (any configuration failing is enough).
const EXPOSED_BY: Record<Mutant, string[]> = {
  "no-recovery": ["abort-with-siblings"],
  "no-stale-check": ["abort-with-siblings"],
  "no-termination-guard": ["reentrant-abort-swallowed"],
  "foreign-exceptions-abort": ["js-error-with-siblings"],
  "range-error-not-abort": ["stack-overflow-with-siblings"],
  "no-stack-restore": ["panic-with-siblings"],
  "marshal-before-guard": ["abort-with-siblings"],
  "double-reset": ["abort-with-siblings"],
};

describe("mutants", () => {
  it.each(Object.entries(EXPOSED_BY) as [Mutant, string[]][])("%s: a guarantee breaks, with evidence", async (mutant, scenarios) => {
    const matrix = await runMatrix({
      scenarios: named(...scenarios), variants: ["abort", "unwind"], strategies: ["reset", "unwind"], topologies: ["shared"], mutants: [mutant],
    });
    expect(matrix.ok).toBe(false);
    const broken = matrix.results.flatMap((r) => r.verdicts.filter((v) => !v.ok));
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.every((v) => v.evidence.length > 0)).toBe(true);
  }, 60_000);
});
