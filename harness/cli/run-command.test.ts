import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { wrh } from "./spawn-wrh.ts";

const ONE_RUN = ["--scenario", "panic-with-siblings", "--variant", "unwind", "--topology", "shared"];

describe("wrh run and wrh list", () => {
  it("lists the scenarios with their expectations", () => {
    const { status, stdout } = wrh("list");
    expect(status).toBe(0);
    expect(stdout).toMatch(/^panic-with-siblings\n/m);
    expect(stdout).toMatch(/unwind fault → PanicError; no reset; in flight survive; later succeed/);
  });

  it.each([
    [["run", "--scenario", "nope"], /--scenario nope: no such scenario/],
    [["run", "--variant", "abort", "--strategy", "unwind"], /no build in abort runs strategy unwind/],
    [["run", "--report", "pdf"], /--report pdf: choose from json, junit, html/],
    [["run", "--profile", "workers-rs-test"], /--profile needs --worker/],
    [["run", "--worker", "no/such/dir"], /--worker no\/such\/dir: no such file or directory/],
    [["run", "--worker", "dist/abort", "--variant", "abort"], /--variant applies to the canary builds, not to --worker/],
    [["run", "--worker", "dist/abort", "--profile", "nope"], /--profile nope: no such profile file or built-in profile \(built in: workers-rs-test\)/],
    [["repro", "nope"], /no scenario "nope"/],
    [["repro", "panic-with-siblings", "--seed", "x"], /--seed must be an integer/],
    [["report", "no-such-history.jsonl"], /no-such-history.jsonl: cannot read/],
    [["run", "--mutant", "everything"], /--mutant everything: choose from no-recovery/],
  ])("%j is bad input: exit 2, one line", (args, message) => {
    const { status, stderr } = wrh(...args);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("rejects a malformed scenario file naming the file and the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "wrh-cli-"));
    const file = join(dir, "mine.scenarios.ts");
    writeFileSync(file, `export default [{ name: "mine", description: "d", fault: { kind: "abort", place: "handler" }, workload: {},
      expect: { reset: { fault: ["Abort"], reset: true, inflight: "fail-fast", latr: "succeed" } } }];\n`);
    const { status, stderr } = wrh("run", "--scenario-file", file);
    expect(status).toBe(2);
    expect(stderr).toMatch(/mine\.scenarios\.ts\[0\]: scenario "mine": expect\.reset\.latr: unknown field \(did you mean "later"\?\)/);
  });

  it("runs, prints the table and writes history and reports; exit 0 when every guarantee holds", () => {
    const out = mkdtempSync(join(tmpdir(), "wrh-out-"));
    const { status, stdout, stderr } = wrh("run", ...ONE_RUN, "--report", "junit", "--report", "json", "--out", out);
    expect(status).toBe(0);
    expect(stdout).toMatch(/panic-with-siblings\s+unwind \(unwind\)\s+shared\s+1\s+pass\s+0/);
    expect(stderr).toMatch(/\[1\/1\] pass panic-with-siblings\/unwind\/unwind\/shared\/1/);
    expect(readFileSync(join(out, "junit.xml"), "utf8")).toMatch(/<testcase classname="unwind\/unwind\/shared" name="panic-with-siblings #1"/);
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).ok).toBe(true);
    const history = readFileSync(join(out, "history.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(history.filter((r) => r.role === "fault")).toHaveLength(1);
  });

  it("exits 1 and names the broken guarantee and its evidence when the runtime is broken", () => {
    const { status, stdout } = wrh("run", ...ONE_RUN, "--mutant", "no-stack-restore", "--out", mkdtempSync(join(tmpdir(), "wrh-out-")));
    expect(status).toBe(1);
    expect(stdout).toMatch(/panic-with-siblings\/unwind\/unwind\+no-stack-restore\/shared\/1: stack: shadow stack pointer drifted by \d+ bytes: #\d+, #\d+/);
  });
});
