import { defineConfig } from "vitest/config";

// miniflare and the TypeScript the harness runs unbundled need Node 22+; `npm test` provides
// the project's pinned Node 24 even where the system Node is older.
if (Number(process.versions.node.split(".")[0]) < 22) {
  throw new Error(`Node ${process.version} is too old for the harness; run the tests with \`npm test\``);
}

export default defineConfig({
  test: {
    include: ["harness/**/*.test.ts", "scenarios/**/*.test.ts"],
    // Brings dist/ up to date first: a no-op after `npm run setup`, a rebuild after a Rust edit.
    globalSetup: ["harness/build/global-setup.ts"],
    // Starting workerd takes about a second; deadlines inside the harness bound every request.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
