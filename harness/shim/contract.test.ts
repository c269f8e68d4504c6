// The reference runtime honours every row of the recovery contract, under each strategy and
// on both exception-handling encodings.
import { describe, it } from "vitest";
import type { VariantName } from "../build/variants.ts";
import type { Strategy } from "../protocol/recovery.ts";
import { withCanary } from "../runner/start-worker.ts";
import { checksFor } from "./contract-checks.ts";

export const STRATEGY_RUNS: readonly { variant: VariantName; strategy: Strategy }[] = [
  { variant: "abort", strategy: "none" },
  { variant: "abort", strategy: "reset" },
  { variant: "unwind", strategy: "unwind" },
  { variant: "unwind-exnref", strategy: "unwind" },
];

describe.each(STRATEGY_RUNS)("strategy $strategy on the $variant build", ({ variant, strategy }) => {
  it.each(checksFor(strategy).map((check) => [`${check.row}: ${check.name}`, check] as const))("%s", async (_, check) => {
    await withCanary({ variant, strategy, ...check.worker }, (client) => check.run({ client, strategy, mutants: [] }));
  });
});
