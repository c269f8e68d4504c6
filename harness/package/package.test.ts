// The package as a user gets it: `npm pack` of this clone, installed into a new project outside
// it, then used there on the pinned Node 24 with nothing from the clone but a real workers-rs
// build (dist/real-unwind) to judge. Rust tools on PATH are tripwires: judging a prebuilt
// worker must not look for a toolchain. One scratch project serves every case.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../project.ts";

const REAL_BUILD = join(PROJECT_ROOT, "dist/real-unwind");
const RUST_TOOLS = ["rustup", "rustc", "cargo", "worker-build", "wasm-bindgen"];

let scratch: string;
let project: string;
let tripwireLog: string;
let env: NodeJS.ProcessEnv;

/** Runs `command` in the scratch project as a user's shell would (no npm_* variables of this run). */
function sh(command: string, args: string[], timeout = 180_000): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: project, env, encoding: "utf8", timeout });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const wrh = (...args: string[]) => sh("npx", ["wrh", ...args]);

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "wrh-package-"));
  project = join(scratch, "my-worker");
  mkdirSync(project);
  const tripwires = join(scratch, "tripwires");
  mkdirSync(tripwires);
  tripwireLog = join(scratch, "rust-tools-called.log");
  for (const tool of RUST_TOOLS) {
    writeFileSync(join(tripwires, tool), `#!/bin/sh\necho "${tool} $*" >> "${tripwireLog}"\nexit 1\n`);
    chmodSync(join(tripwires, tool), 0o755);
  }
  env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("npm_") && name !== "INIT_CWD"));
  env.PATH = `${tripwires}:${join(PROJECT_ROOT, "node_modules/.bin")}:${process.env.PATH}`;

  const packed = spawnSync("npm", ["pack", "--pack-destination", scratch], { cwd: PROJECT_ROOT, env, encoding: "utf8", timeout: 300_000 });
  expect(packed.status, packed.stderr).toBe(0);
  const tarball = readdirSync(scratch).find((file) => file.endsWith(".tgz"))!;
  expect(sh("npm", ["init", "-y"]).status).toBe(0);
  const installed = sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(scratch, tarball)], 300_000);
  expect(installed.status, installed.stderr).toBe(0);
}, 600_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// Each case starts Node, wrangler and workerd a few times over: seconds each on an idle machine,
// tens while the rest of the suite runs beside it.
describe("the packed package, installed into a project outside the clone", { timeout: 300_000 }, () => {
  it("ships compiled JavaScript with declarations, the catalog and the profiles; no sources or tests", () => {
    const root = join(project, "node_modules/workers-recovery-harness");
    const files = readdirSync(root, { recursive: true, encoding: "utf8" });
    expect(files).toContain("lib/harness/index.d.ts");
    expect(files).toContain("lib/scenarios/recovery.scenarios.js");
    expect(files).toContain("lib/profiles/workers-rs-test.json");
    expect(files.filter((f) => /\.(rs|toml)$/.test(f) && f !== "lib/wrangler.toml")).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(files.filter((f) => f.includes(".test."))).toEqual([]);
  });

  it("npx wrh --help prints the usage", () => {
    const { status, stdout } = wrh("--help");
    expect(status).toBe(0);
    expect(stdout).toContain("wrh run --worker <wrangler.toml|built dir>");
    expect(stdout).toContain("--only-file");
  });

  it("refuses in one line what needs the clone: building, and running the canary builds", () => {
    for (const args of [["build"], ["run", "--scenario", "panic-with-siblings"]]) {
      const { status, stderr } = wrh(...args);
      expect(status, args.join(" ")).toBe(2);
      expect(stderr.trim()).toMatch(/^wrh: error: wrh (build|run without --worker) works only in a clone of the repository .*wrh run --worker/);
    }
  });

  it("npx wrh run --worker judges a real workers-rs build, with results in the project and no Rust toolchain", () => {
    const { status, stdout, stderr } = wrh("run", "--worker", REAL_BUILD, "--scenario", "panic-with-siblings", "--out", "results");
    expect([0, 1], stderr).toContain(status);
    expect(stdout).toMatch(/^panic-with-siblings +unwind \(worker\) +shared +1 +(holds|broken|unknown)/m);
    expect(readFileSync(join(project, "results/history.jsonl"), "utf8")).toContain('"runId":"panic-with-siblings/worker/unwind/shared/1"');
    expect(existsSync(tripwireLog) ? readFileSync(tripwireLog, "utf8") : "").toBe("");
  });

  it("a scenario file importing the package runs alone with --only-file; JSON scenario files add to the catalog", () => {
    writeFileSync(join(project, "my.scenarios.ts"), `import { defineScenario, contained, resets } from "workers-recovery-harness";

export default [
  defineScenario({
    name: "my-panic",
    description: "a panic with three siblings in flight and three after",
    fault: { kind: "panic", place: "handler" },
    workload: { inflight: { handler: 3 }, later: { handler: 3 } },
    expect: { reset: resets(["Abort"]), unwind: contained(["PanicError"]) },
  }),
];
`);
    // npm init writes "type": "commonjs": the error says so, and what to do.
    const commonjs = wrh("list", "--scenario-file", "my.scenarios.ts", "--only-file");
    expect(commonjs.status).toBe(2);
    expect(commonjs.stderr).toMatch(/wrh: error: my\.scenarios\.ts:1: cannot load: .*name it \.mts, or set "type": "module"/);
    expect(sh("npm", ["pkg", "set", "type=module"]).status).toBe(0);

    const { status, stdout, stderr } = wrh("run", "--worker", REAL_BUILD, "--scenario-file", "my.scenarios.ts", "--only-file");
    expect([0, 1], stderr).toContain(status);
    expect(stdout).toMatch(/^my-panic +unwind \(worker\) +shared +1 +(holds|broken|unknown)/m);
    expect(stdout).not.toContain("panic-with-siblings");
    const [out] = readdirSync(join(project, "wrh-out"));
    expect(readdirSync(join(project, "wrh-out", out!))).toContain("history.jsonl");

    writeFileSync(join(project, "more.scenarios.json"), JSON.stringify([{
      name: "json-abort", description: "an abort, from JSON", fault: { kind: "abort", place: "handler" }, workload: { inflight: { handler: 2 } },
      expect: { reset: { fault: ["Abort"], reset: true, inflight: "fail-fast", later: "succeed" } },
    }], null, 2));
    const listed = wrh("list", "--scenario-file", "more.scenarios.json");
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^panic-with-siblings$/m);
    expect(listed.stdout).toMatch(/^json-abort$/m);
  });

  it("the programmatic API imports, and its declarations type-check a consumer", () => {
    const imported = sh("node", ["--input-type=module", "-e",
      `const m = await import("workers-recovery-harness");
       for (const name of ["defineScenario", "resets", "runMatrix", "judgeRun", "renderHtml", "renderJunit", "readHistory"]) {
         if (typeof m[name] !== "function") throw new Error(name + " is not exported");
       }
       console.log(m.CHECKERS.length + " checkers");`]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^\d+ checkers$/m);

    writeFileSync(join(project, "consumer.mts"), `import { defineScenario, resets, type RunResult, type Scenario } from "workers-recovery-harness";
const scenario: Scenario = defineScenario({ name: "x", description: "d", fault: { kind: "panic", place: "handler" }, workload: {}, expect: { reset: resets(["Abort"]) } });
declare const result: RunResult;
// @ts-expect-error a verdict's status is a string union: this only fails to compile when the declarations resolved
const status: number = result.verdicts[0]!.status;
console.log(scenario, status);
`);
    const tsc = sh(join(PROJECT_ROOT, "node_modules/.bin/tsc"), [
      "--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--target", "es2023",
      "--types", "node", "--typeRoots", join(PROJECT_ROOT, "node_modules/@types"), "consumer.mts",
    ]);
    expect(tsc.status, tsc.stdout).toBe(0);
  });
});
