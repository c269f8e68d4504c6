// wrh's output reaches a reader that lags behind it: a CPU-starved parent (vitest's workers in a
// busy CI) reads its pipe late, and a long output does not fit in the pipe at once. wrh must
// not exit before the rest has been handed to the OS (harness/cli/wrh.ts).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { PROJECT_ROOT } from "../project.ts";

const dir = mkdtempSync(join(tmpdir(), "wrh-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("a listing longer than the pipe holds arrives whole when the reader starts late", () => {
  // ~1,000 scenarios: about 180 KB of listing, far past the 64 KiB a pipe holds while nobody reads it.
  const scenario = (name: string) => ({
    name, description: "an abort, from JSON", fault: { kind: "abort", place: "handler" }, workload: { inflight: { handler: 2 } },
    expect: { reset: { fault: ["Abort"], reset: true, inflight: "fail-fast", later: "succeed" } },
  });
  const file = join(dir, "many.scenarios.json");
  writeFileSync(file, JSON.stringify([...Array.from({ length: 1000 }, (_, i) => scenario(`json-${i}`)), scenario("the-last-one")]));

  // The reader sleeps a second and a half before it reads anything: time enough for wrh to
  // fill the pipe and, if it does not wait for its output, to exit without the rest.
  const node = join(PROJECT_ROOT, "node_modules/.bin/node");
  const wrh = join(PROJECT_ROOT, "harness/cli/wrh.ts");
  const { status, stdout, stderr } = spawnSync("sh", ["-c", `"${node}" "${wrh}" list --scenario-file "${file}" | (sleep 1.5; cat)`], {
    encoding: "utf8", maxBuffer: 16 * 1024 * 1024, timeout: 100_000,
  });

  expect(status, stderr).toBe(0);
  expect(stdout).toMatch(/^the-last-one$/m);
  expect(stdout.match(/^json-\d+$/gm)).toHaveLength(1000);
}, 120_000);
