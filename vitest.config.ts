import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// miniflare and the TypeScript the harness runs unbundled need Node 22+; `npm test` provides
// the project's pinned Node 24 even where the system Node is older.
if (Number(process.versions.node.split(".")[0]) < 22) {
  throw new Error(`Node ${process.version} is too old for the harness; run the tests with \`npm test\``);
}

/** A project whose tests run inside workerd, next to the canary built as `variant`. */
function insideWorkerd(variant: string, strategy: string) {
  return {
    extends: true as const,
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        main: `./dist/${variant}/worker.js`,
        miniflare: {
          bindings: { WRH_STRATEGY: strategy, WRH_VARIANT: variant },
          durableObjects: { COUNTER: { className: "CanaryCounter", useSQLite: true, unsafePreventEviction: true } },
        },
      }),
    ],
    test: { name: `workerd:${variant}:${strategy}`, include: ["harness/**/*.workerd.test.ts"] },
  };
}

// CI (or WRH_JUNIT=<file>) also gets a JUnit report of every test.
const junit = process.env.WRH_JUNIT ?? (process.env.CI ? "reports/junit.xml" : undefined);

export default defineConfig({
  test: {
    reporters: junit ? ["default", ["junit", { outputFile: junit }]] : ["default"],
    // Brings dist/ up to date first: a no-op after `npm run setup`, a rebuild after a Rust edit.
    globalSetup: ["harness/build/global-setup.ts"],
    // Starting workerd takes about a second; deadlines inside the harness bound every request.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true as const, test: { name: "node", include: ["harness/**/*.test.ts", "scenarios/**/*.test.ts"], exclude: ["**/*.workerd.test.ts"] } },
      insideWorkerd("unwind", "unwind"),
      insideWorkerd("unwind-exnref", "unwind"),
      insideWorkerd("abort", "reset"),
    ],
  },
});
