// wrh's output reaches a reader that lags behind it: a CPU-starved parent (vitest's workers in a
// busy CI) reads its pipe late, and a long output does not fit in the pipe at once. wrh must
// not exit before the rest has been handed to the OS (harness/cli/wrh.ts). Starting Node and
// loading 1,000 scenarios takes seconds on a machine as busy as `npm test` makes it.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { PROJECT_ROOT } from "../project.ts";

const dir = mkdtempSync(join(tmpdir(), "wrh-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("a listing longer than the pipe holds arrives whole when the reader starts late", async () => {
  // ~1,000 scenarios: about 180 KB of listing in ~2,000 writes, far past what a socket pair
  // buffers while nobody reads it.
  const scenario = (name: string) => ({
    name, description: "an abort, from JSON", fault: { kind: "abort", place: "handler" }, workload: { inflight: { handler: 2 } },
    expect: { reset: { fault: ["Abort"], reset: true, inflight: "fail-fast", later: "succeed" } },
  });
  const file = join(dir, "many.scenarios.json");
  writeFileSync(file, JSON.stringify([...Array.from({ length: 1000 }, (_, i) => scenario(`json-${i}`)), scenario("the-last-one")]));

  const child = spawn(join(PROJECT_ROOT, "node_modules/.bin/node"), [join(PROJECT_ROOT, "harness/cli/wrh.ts"), "list", "--scenario-file", file], { stdio: ["ignore", "pipe", "inherit"] });
  // Nothing is read for a second and a half: time enough for wrh to write everything it can
  // and, if it does not wait for its output, to exit without the rest.
  child.stdout.pause();
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  child.stdout.resume();
  await new Promise((resolve) => child.stdout.on("end", resolve));
  const code = await exited;
  child.kill();
  const out = Buffer.concat(chunks).toString("utf8");

  expect(code).toBe(0);
  expect(out).toMatch(/^the-last-one$/m);
  expect(out.match(/^json-\d+$/gm)).toHaveLength(1000);
}, 120_000);
