import { defineConfig } from "vitest/config";

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
