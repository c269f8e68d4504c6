// `wrh run`, `list`, `repro` and `report` input the harness refuses (or answers) before any
// worker starts: no build, no workerd, so this runs in the fast tier (`npm run test:unit`).
// The cases that run scenarios are in run-command.test.ts and repro-command.test.ts.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { exitCodeFor } from "../errors.ts";
import { main, selectVariants } from "./commands.ts";
import { wrh } from "../testing/spawn-wrh.ts";
import { PROJECT_ROOT } from "../project.ts";
import { COMMAND_OPTIONS } from "./usage.ts";

describe("wrh run, list, repro and report: input refused before anything runs", () => {
  it("lists the scenarios with their expectations", () => {
    const { status, stdout } = wrh("list");
    expect(status).toBe(0);
    expect(stdout).toMatch(/^panic-with-siblings\n/m);
    expect(stdout).toMatch(/unwind fault → PanicError; no reset; in flight survive; later succeed/);
  });

  // In process (spawning Node per case would cost a second each): what wrh.ts turns into exit 2
  // and a one-line message. The spawned cases below check that path end to end.
  it.each([
    [["run", "--scenario", "nope"], /--scenario nope: no such scenario/],
    [["run", "--scenario", "panic-with-sibling"], /no such scenario \(did you mean "panic-with-siblings"\?\)/],
    [["repro", "abort-with-sibling"], /no scenario "abort-with-sibling" \(did you mean "abort-with-siblings"\?\)/],
    [["run", "--variant", "abort", "--strategy", "unwind"], /no build in abort runs strategy unwind/],
    [["run", "--report", "pdf"], /--report pdf: choose from json, junit, html/],
    [["run", "--profile", "workers-rs-test"], /--profile needs --worker/],
    [["run", "--worker", "no/such/dir"], /--worker no\/such\/dir: no such file or directory/],
    [["run", "--worker", "dist/abort", "--variant", "abort"], /--variant applies to the canary builds, not to --worker/],
    [["run", "--worker", "dist/abort", "--profile", "nope"], /--profile nope: no such profile file or built-in profile \(built in: workers-rs-test\)/],
    [["repro", "nope"], /no scenario "nope"/],
    [["repro", "panic-with-siblings", "--seed", "x"], /--seed must be an integer/],
    [["report", "no-such-history.jsonl"], /no-such-history.jsonl: cannot read/],
    [["report"], /wrh report takes one history file/],
    [["report", "a.jsonl", "--report", "pdf"], /--report pdf: choose from json, junit, html/],
    [["run", "--mutant", "everything"], /--mutant everything: choose from no-recovery/],
    [["run", "--parallel", "0"], /--parallel must be a positive integer/],
    [["releases", "--parallel", "two"], /--parallel must be a positive integer/],
    [["run", "--deadline", "0"], /--deadline must be a number of seconds, at least 0.1/],
    [["releases", "--deadline", "ten"], /--deadline must be a number of seconds/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["releases", "--from", "no/such/dir"], /--from no\/such\/dir: no <point>\/history.jsonl of a `wrh releases --out` there/],
    [["releases", "--from", "wrh-out", "--known-bugs"], /--from and --known-bugs do not go together/],
    [["releases", "--source", "workers-rs=."], /--source workers-rs=\.: give NAME=PATH with NAME one of worker, wasm-bindgen/],
    [["releases", "--source", "worker=no/such/tree"], /--source worker=no\/such\/tree: no\/such\/tree does not exist/],
    [["releases", "--source", "worker=.", "--source", "worker=."], /--source worker given twice/],
    [["releases", "--source", "worker=.", "--known-bugs"], /--source and --known-bugs do not go together/],
    [["releases", "--points", "no/such/points.json"], /--points .*no\/such\/points\.json: no such file/],
    [["releases", "--only", "0.8.7+0.2.130+fix-nothing"], /--only 0\.8\.7\+0\.2\.130\+fix-nothing: no such release point/],
  ])("%j is bad input: exit 2, one line", async (args, message) => {
    const error = await main(args).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(exitCodeFor(error)).toBe(2);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });

  it("rejects a malformed scenario file naming the file and the field: exit 2, one line", () => {
    const dir = mkdtempSync(join(tmpdir(), "wrh-cli-"));
    const file = join(dir, "mine.scenarios.ts");
    writeFileSync(file, `export default [{ name: "mine", description: "d", fault: { kind: "abort", place: "handler" }, workload: {},
      expect: { reset: { fault: ["Abort"], reset: true, inflight: "fail-fast", latr: "succeed" } } }];\n`);
    const { status, stderr } = wrh("run", "--scenario-file", file);
    expect(status).toBe(2);
    expect(stderr).toMatch(/mine\.scenarios\.ts\[0\]: scenario "mine": expect\.reset\.latr: unknown field \(did you mean "later"\?\)/);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("reports a syntax error in a scenario file with its line, relative to the working directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "wrh-cli-"));
    writeFileSync(join(dir, "typo.scenarios.ts"), `export default [\n  { name: "typo",\n    description: "d" +,\n  }];\n`);
    const { status, stderr } = wrh("list", "--scenario-file", join(dir, "typo.scenarios.ts"));
    expect(status).toBe(2);
    expect(stderr.trim()).toMatch(new RegExp(`^wrh: error: ${relative(PROJECT_ROOT, dir).replaceAll(".", "\\.")}/typo\\.scenarios\\.ts:3: cannot load: `));
  });

  it("refuses an output folder that already holds files, and leaves none behind when it fails", () => {
    const used = mkdtempSync(join(tmpdir(), "wrh-out-"));
    writeFileSync(join(used, "history.jsonl"), "");
    const refused = wrh("run", "--scenario", "panic-with-siblings", "--out", used);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/--out .*: already holds 1 file\(s\) from an earlier run; name an empty or new folder/);
    expect(readdirSync(used)).toEqual(["history.jsonl"]);
    // A command that fails leaves no folder, whenever it found the problem.
    const fresh = join(mkdtempSync(join(tmpdir(), "wrh-out-")), "new");
    const failed = wrh("run", "--worker", join(used, "no-worker"), "--strategy", "reset", "--out", fresh);
    expect(failed.status).toBe(2);
    expect(existsSync(fresh)).toBe(false);
  });

  it("help prints every command's usage and exits 0", () => {
    const { status, stdout } = wrh("help");
    expect(status).toBe(0);
    for (const command of ["build", "setup", "toolchain", "run", "list", "repro", "report", "init", "releases"]) expect(stdout).toMatch(new RegExp(`^ {2}wrh ${command}\\b`, "m"));
  });

  it("every command answers --help with its own usage, which names each option it takes", () => {
    for (const [command, options] of Object.entries(COMMAND_OPTIONS)) {
      const { status, stdout } = wrh(command, "--help");
      expect(status, command).toBe(0);
      expect(stdout).toContain(`wrh ${command}`);
      for (const option of Object.keys(options)) expect(stdout, `${command} --${option}`).toContain(`--${option}`);
    }
  });
});

describe("wrh build --variant", () => {
  it("takes `reference` and `real` for every build of that kind, as wrh run does", () => {
    const names = (names: string[]) => {
      const selected = selectVariants(names);
      return [...(selected.reference ?? []).map((v) => v.name), ...selected.real.map((m) => m.name)];
    };
    expect(names(["reference", "unwind"])).toEqual(["abort", "unwind", "unwind-exnref"]);
    expect(names(["real"])).toEqual([
      "real-abort", "real-unwind", "real-unwind-exnref", "real-legacy", "real-abort-opt", "real-unwind-opt", "real-unwind-exnref-opt", "real-legacy-opt",
    ]);
  });
});
