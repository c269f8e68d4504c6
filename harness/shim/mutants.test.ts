// Every mutant (one real bug class put back into the runtime) must make at least one
// contract check fail: otherwise the checks could not tell a broken runtime from a good one.
// Only a failing check counts: a worker that cannot even start under a mutant is a harness
// error and fails this test, never "caught".
import { afterAll, describe, expect, it } from "vitest";
import type { VariantName } from "../build/variants.ts";
import { MUTANT_NAMES, type Mutant, type Strategy } from "../protocol/recovery.ts";
import { startCanary } from "../runner/start-worker.ts";
import { checksFor } from "./contract-checks.ts";

// A mutant is tried under both recovering strategies; `none` has no recovery to break.
const RUNS: readonly { variant: VariantName; strategy: Strategy }[] = [
  { variant: "abort", strategy: "reset" },
  { variant: "unwind", strategy: "unwind" },
];

/** The checks that fail against `mutant`, with the first line of each failure. */
async function catchers(mutant: Mutant): Promise<string[]> {
  const caught: string[] = [];
  for (const { variant, strategy } of RUNS) {
    for (const check of checksFor(strategy)) {
      // Outside the try: a start failure is the harness's error, not a caught mutant.
      const client = await startCanary({ variant, strategy, mutants: [mutant], ...check.worker });
      try {
        await check.run({ client, strategy, mutants: [mutant] });
      } catch (error) {
        const firstLine = (error instanceof Error ? error.message : String(error)).split("\n")[0];
        caught.push(`${strategy}: ${check.row}: ${check.name} — ${firstLine}`);
      } finally {
        await client.dispose();
      }
    }
  }
  return caught;
}

describe("mutants", () => {
  const score: Partial<Record<Mutant, number>> = {};

  it.each(MUTANT_NAMES)("%s is caught by at least one contract check", async (mutant) => {
    const caught = await catchers(mutant);
    score[mutant] = caught.length;
    console.log(`${mutant}: caught by ${caught.length} check(s)\n  ${caught.join("\n  ")}`);
    expect(caught.length).toBeGreaterThan(0);
  }, 120_000);

  // Each mutant's own test fails when it escapes; this only prints the tally of those that ran.
  afterAll(() => {
    const killed = MUTANT_NAMES.filter((m) => (score[m] ?? 0) > 0).length;
    console.log(`mutation score: ${killed}/${Object.keys(score).length} mutants caught`);
  });
});
