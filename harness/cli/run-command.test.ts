import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { profileWithSecret, wrh } from "../testing/spawn-wrh.ts";

const ONE_RUN = ["--scenario", "panic-with-siblings", "--variant", "unwind", "--topology", "shared"];

// Runs scenarios (needs dist/ and workerd). Input refused before anything runs, and `wrh list`,
// are in cli-input.unit.test.ts (the fast tier).
describe("wrh run", () => {
  it("runs, prints the table and writes history and reports; exit 0 when every guarantee holds", () => {
    const out = mkdtempSync(join(tmpdir(), "wrh-out-"));
    const { status, stdout, stderr } = wrh("run", ...ONE_RUN, "--report", "junit", "--report", "json", "--out", out);
    expect(status).toBe(0);
    expect(stdout).toMatch(/panic-with-siblings\s+unwind \(unwind\)\s+shared\s+1\s+holds\s+0/);
    expect(stderr).toMatch(/\[1\/1\] holds panic-with-siblings\/unwind\/unwind\/shared\/1/);
    expect(readFileSync(join(out, "junit.xml"), "utf8")).toMatch(/<testcase classname="unwind\/unwind\/shared" name="panic-with-siblings #1"/);
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).counts).toEqual({ holds: 1, broken: 0, unknown: 0, error: 0 });
    const history = readFileSync(join(out, "history.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(history.filter((r) => r.role === "fault")).toHaveLength(1);
  });

  it("exits 1 and names the broken guarantee and its evidence when the runtime is broken", () => {
    const { status, stdout } = wrh("run", ...ONE_RUN, "--mutant", "no-stack-restore", "--out", mkdtempSync(join(tmpdir(), "wrh-out-")));
    expect(status).toBe(1);
    expect(stdout).toMatch(/panic-with-siblings\/unwind\/unwind\+no-stack-restore\/shared\/1: stack: shadow stack pointer drifted by \d+ bytes: #\d+, #\d+/);
  });

  it("prints unknown, never pass, for what a worker without probes cannot show; JUnit skips it; --require-observed fails it", () => {
    const args = ["run", "--worker", "dist/abort", "--profile", profileWithSecret(), "--topology", "shared", "--strategy", "reset", "--scenario", "abort-with-siblings", "--report", "junit"];
    const out = mkdtempSync(join(tmpdir(), "wrh-out-"));
    const { status, stdout } = wrh(...args, "--out", out);
    expect(status).toBe(0);
    expect(stdout).toMatch(/abort-with-siblings\s+reset \(worker\)\s+shared\s+1\s+unknown: [a-z, -]*abort-hook/);
    expect(stdout).toMatch(/Not observed \(unknown, not a pass\):\n(?: {2}.*\n)* {2}abort-hook: not observed: the worker has no runtime probes/);
    expect(stdout).toMatch(/1 runs: 0 hold, 0 broken, 1 unknown \(not observed, not a pass\)/);
    expect(readFileSync(join(out, "junit.xml"), "utf8")).toMatch(/skipped="1"[\s\S]*<skipped message="not observed: [^"]*abort-hook: not observed/);
    expect(wrh(...args, "--require-observed", "--out", mkdtempSync(join(tmpdir(), "wrh-out-"))).status).toBe(1);
  });

  // The canary's counter, in the workers-rs test-worker layout, needs the SOME_SECRET that a
  // built directory cannot give it: a profile mismatch found before any run, never a verdict.
  it("exits 3, the harness's failure, when workerd cannot start the worker; one line naming it, nothing left behind", () => {
    const dir = mkdtempSync(join(tmpdir(), "wrh-broken-worker-"));
    writeFileSync(join(dir, "index.js"), "export default { fetch( {\n");
    const out = join(mkdtempSync(join(tmpdir(), "wrh-out-")), "run");
    const { status, stdout, stderr } = wrh("run", "--worker", dir, "--out", out);
    expect(status).toBe(3);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n").at(-1)).toMatch(/^wrh: error: workerd could not start .*index\.js: /);
    expect(existsSync(out)).toBe(false);
  });

  it("exits 2 at the preflight with one line naming the route when the profile does not fit the worker", () => {
    const out = mkdtempSync(join(tmpdir(), "wrh-out-"));
    const { status, stdout, stderr } = wrh("run", "--worker", "dist/abort", "--scenario", "abort-with-siblings", "--out", out);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toEqual([expect.stringMatching(/^wrh: error: --worker dist\/abort does not match profile workers-rs-test: \/durable\/wrh-[0-9a-f]{12} \(the counter\) answered 500 "HostError: Binding `SOME_SECRET` is undefined\."/)]);
  });

  it("a real build's known limitations are printed with their finding ids and pass; --strict fails on them", () => {
    const args = ["run", "--scenario", "panic-with-siblings", "--variant", "real-abort", "--topology", "shared", "--deadline", "3", "--report", "junit"];
    const out = mkdtempSync(join(tmpdir(), "wrh-out-"));
    const { status, stdout } = wrh(...args, "--out", out);
    expect(status).toBe(0);
    expect(stdout).toMatch(/panic-with-siblings\s+reset \(real-abort\)\s+shared\s+1\s+known: F1, F2/);
    expect(stdout).toMatch(/^ {2}panic-with-siblings\/real-abort\/reset\/shared\/1: \[F1\+F2\] classification: fault ended as Canceled/m);
    expect(stdout).toMatch(/^ {2}F1: the faulting request never answers/m);
    expect(stdout).toContain("Upstream's own promises (workers-rs test/tests/panic.spec.ts) applied to 1 run: kept in every one.");
    const junit = readFileSync(join(out, "junit.xml"), "utf8");
    expect(junit).toMatch(/failures="0"/);
    expect(junit).toMatch(/<system-out>known limitation F1\+F2: classification: fault ended as Canceled/);
    const strict = wrh(...args, "--strict", "--out", mkdtempSync(join(tmpdir(), "wrh-out-")));
    expect(strict.status).toBe(1);
  }, 90_000);
});
