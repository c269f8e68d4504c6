import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../project.ts";

const dev = (...args: string[]) =>
  spawnSync(join(PROJECT_ROOT, "node_modules/.bin/node"), [join(PROJECT_ROOT, "harness/cli/dev.ts"), ...args], { encoding: "utf8", timeout: 20_000 });

describe("npm run dev", () => {
  it.each([
    [["--variant", "nope"], /--variant nope: choose from abort, unwind, unwind-exnref/],
    [["--variant", "abort", "--strategy", "unwind"], /--strategy unwind cannot run the abort build/],
    [["--port", "99999"], /--port 99999: not a TCP port/],
  ])("%j is bad input: exit 2, one line, nothing started", (args, message) => {
    const { status, stderr } = dev(...args);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });
});
