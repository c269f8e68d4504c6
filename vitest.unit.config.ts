import { defineConfig } from "vitest/config";

// The fast tier (`npm run test:unit`): tests that need no Rust build and no workerd, so no
// globalSetup (harness/build/global-setup.ts builds dist/) and no workerd projects. Scenario and
// profile validation, the checkers on synthetic histories, the reports, and CLI input the
// harness rejects before anything runs. The full suite (vitest.config.ts, `npm test`) runs
// these same files once, in its `node` project.
if (Number(process.versions.node.split(".")[0]) < 22) {
  throw new Error(`Node ${process.version} is too old for the harness; run the tests with \`npm run test:unit\``);
}

export const UNIT_TESTS = [
  "harness/*.unit.test.ts",
  "harness/engine/scenario.test.ts",
  "harness/engine/*.unit.test.ts",
  "harness/profile/profile.test.ts",
  "harness/profile/*.unit.test.ts",
  "harness/checkers/*.test.ts",
  "harness/report/*.test.ts",
  "harness/history/*.test.ts",
  "harness/cli/*.unit.test.ts",
  "harness/mutants/*.unit.test.ts",
  "harness/bench/*.unit.test.ts",
  "harness/matrix/*.unit.test.ts",
];

/** In those folders, but it runs a worker: `npm test` only. */
const NEEDS_A_WORKER = ["harness/report/browser.test.ts"];

export default defineConfig({
  test: {
    name: "unit",
    include: UNIT_TESTS,
    exclude: NEEDS_A_WORKER,
    // Pure functions and spawned commands: nothing a test file leaves behind can reach another,
    // so one thread pool without per-file isolation (the checker tests: ~1 s instead of ~5 s).
    pool: "threads",
    isolate: false,
    testTimeout: 10_000,
  },
});
