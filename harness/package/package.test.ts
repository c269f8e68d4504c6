// The package as a user gets it: `npm pack` of this clone, installed into a new project outside
// it, then used there on the pinned Node 24 with nothing from the clone but a real workers-rs
// build (dist/real-unwind) to judge. Rust tools on PATH are tripwires: judging a prebuilt
// worker must not look for a toolchain. One scratch project serves every case.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockedVersion, wrhCacheDir } from "../build/real-tools.ts";
import { PROJECT_ROOT } from "../project.ts";

const REAL_BUILD = join(PROJECT_ROOT, "dist/real-unwind");
const RUST_TOOLS = ["rustup", "rustc", "cargo", "worker-build", "wasm-bindgen"];

let scratch: string;
let project: string;
let tripwires: string;
let tripwireLog: string;
let env: NodeJS.ProcessEnv;

/** Runs `command` in the scratch project as a user's shell would (no npm_* variables of this run). */
function sh(command: string, args: string[], timeout = 180_000, shellEnv = env): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: project, env: shellEnv, encoding: "utf8", timeout });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const wrh = (...args: string[]) => sh("npx", ["wrh", ...args]);
/** How long one `npm install` may take before the test calls npm hung. */
const INSTALL_DEADLINE_MS = 900_000;
/**
 * A registry request that stalls is retried after a minute, not after npm's default five
 * minutes twice over: one stalled request once took the whole deadline of an install that takes
 * seconds, in a .ci/run.
 */
const NPM_INSTALL_FLAGS = [
  "--no-audit", "--no-fund", "--prefer-offline",
  "--fetch-timeout=60000", "--fetch-retries=5", "--fetch-retry-mintimeout=2000", "--fetch-retry-maxtimeout=10000",
];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "wrh-package-"));
  project = join(scratch, "my-worker");
  mkdirSync(project);
  tripwires = join(scratch, "tripwires");
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
  // A user's install: the package's dependencies at their newest matching versions, some not in
  // the cache that setup filled (a newer workerd, say), so fetched: seconds on an idle machine,
  // many minutes on a loaded one with a cold cache. The deadline is for a hung npm.
  const installed = sh("npm", ["install", ...NPM_INSTALL_FLAGS, join(scratch, tarball)], INSTALL_DEADLINE_MS);
  expect(installed.status, installed.stderr).toBe(0);
  // What a Worker's repository with its own vitest tests has: the versions this clone pins.
  const ours = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  const testing = ["vitest", "@cloudflare/vitest-pool-workers"].map((name) => `${name}@${ours.devDependencies[name]}`);
  const tools = sh("npm", ["install", ...NPM_INSTALL_FLAGS, "--save-dev", ...testing], INSTALL_DEADLINE_MS);
  expect(tools.status, tools.stderr).toBe(0);
}, 3 * INSTALL_DEADLINE_MS);

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

  // The one case that needs Rust: the tripwires come off PATH, and the tools come from the
  // per-user cache (installed once from crates.io). The fixture is the real canary, which serves
  // the workers-rs test-worker layout; its #[path] modules and include_str! reach outside the
  // crate (../canary, ../recovery, ../protocol.rs and the protocol's constants.json), so those
  // are copied beside it in the clone's layout. A stable CARGO_TARGET_DIR keeps std and the
  // dependencies compiled between runs (a cold build: about 9 minutes on 2 busy cores); only the
  // copied crate recompiles, since it moves every run.
  it("npx wrh build --crate builds a workers-rs crate from the installed package, offline, and wrh run --worker judges the build", { timeout: 780_000 }, () => {
    const fixture = join(scratch, "crates");
    for (const part of ["workers/real-canary/Cargo.toml", "workers/real-canary/Cargo.lock", "workers/real-canary/src", "workers/canary/src",
      "workers/recovery/src", "workers/protocol.rs", "harness/protocol/constants.json"]) {
      cpSync(join(PROJECT_ROOT, part), join(fixture, part), { recursive: true });
    }
    const workers = join(fixture, "workers");
    const crate = join(workers, "real-canary");
    const rustEnv = {
      ...env,
      PATH: env.PATH!.split(":").filter((dir) => dir !== tripwires).join(":"),
      CARGO_TARGET_DIR: join(wrhCacheDir(), "package-test-crate-target"),
    };
    const built = sh("npx", ["wrh", "build", "--crate", crate, "--panic-unwind"], 600_000, rustEnv);
    expect(built.status, built.stderr.slice(-6000)).toBe(0);
    const worker = lockedVersion(join(crate, "Cargo.lock"), "worker")!;
    const bindgen = lockedVersion(join(crate, "Cargo.lock"), "wasm-bindgen")!;
    expect(built.stderr).toContain(`Cargo.lock locks worker ${worker}, wasm-bindgen ${bindgen}\n`);
    // worker-build at the lock's worker version, wasm-bindgen-cli at its wasm-bindgen, both
    // crates.io releases (the crate takes neither from a path).
    expect(built.stderr).toContain(`wrh: worker-build ${worker} (from crates.io): `);
    expect(built.stderr).toContain(`wrh: wasm-bindgen-cli ${bindgen} (from crates.io): `);
    // The package's devDependencies (binaryen) are not installed with it.
    expect(built.stderr).toMatch(/^wrh: wasm-opt: npm's binaryen does not resolve here, so building with --no-opt/m);
    expect(built.stderr).toMatch(/^wrh: running: worker-build --release --panic-unwind --no-opt \(in /m);
    expect(built.stderr).not.toMatch(/Downloading/);
    // No wrangler.toml in the crate: the built folder is what to judge.
    expect(built.stdout).toBe(`${join(crate, "build")}\n`);
    for (const file of ["index.js", "index_bg.wasm"]) expect(existsSync(join(crate, "build", file)), file).toBe(true);

    const run = wrh("run", "--worker", join(crate, "build"), "--scenario", "panic-with-siblings", "--profile", "workers-rs-test", "--out", "crate-results");
    expect([0, 1], run.stderr).toContain(run.status);
    expect(run.stdout).toMatch(/^panic-with-siblings +unwind \(worker\) +shared +1 +(holds|broken|unknown)/m);
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

  it("npx wrh init writes recovery specs into the project's vitest config; one npx vitest run runs them beside its cloudflareTest() tests", () => {
    writeWorkersRsProject();
    const init = wrh("init");
    expect(init.status, init.stderr).toBe(0);
    expect(init.stderr).toContain("wrote recovery/panic.recovery.ts");
    expect(init.stderr).toMatch(/worker: wrangler\.toml, main build\/worker\/shim\.mjs \(built\)/);
    expect(readFileSync(join(project, "vitest.config.ts"), "utf8")).toMatch(/projects: \[\n\s+\{ test: \{ name: "recovery"/);
    expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8")).scripts["test:recovery"]).toBe("vitest run --project recovery");
    const again = wrh("init");
    expect(again.status).toBe(0);
    expect(again.stderr).toContain("recovery/panic.recovery.ts exists: left as it is");

    const unsharded = vitestJson("unsharded.json");
    // The project's own test ran in workerd beside the recovery tests, in the same run.
    expect(unsharded.get("test/index.spec.ts › answers on its sibling route")?.status).toBe("passed");
    const recovery = [...unsharded].filter(([name]) => name.startsWith("recovery/"));
    expect(recovery.map(([name]) => name)).toContain("recovery/panic.recovery.ts › recovery of wrangler.toml under unwind › unwind · worker build · shared topology › panic-with-siblings: " +
      "panic! in a stateless request while siblings are parked inside Rust");
    // Every run reached a verdict (a harness error fails its test with its own message).
    const judged = recovery.filter(([, test]) => test.meta);
    expect(judged.length).toBeGreaterThanOrEqual(9);
    for (const [name, test] of judged) {
      expect(["holds", "broken", "unknown"], name).toContain(test.meta!.status);
      expect(test.status, name).toBe({ holds: "passed", broken: "failed", unknown: "skipped", error: "failed" }[test.meta!.status]);
    }
  });

  it("vitest --shard 1/3, 2/3 and 3/3 with blob reports, merged, give exactly the verdicts of one unsharded run", () => {
    const unsharded = vitestJson("unsharded.json");
    for (let index = 1; index <= 3; index++) {
      const shard = sh("npx", ["vitest", "run", "--project", "recovery", `--shard=${index}/3`, "--reporter=blob", `--outputFile=.vitest-reports/blob-${index}-3.json`], 600_000);
      expect([0, 1], shard.stderr).toContain(shard.status);
    }
    const merged = sh("npx", ["vitest", "--merge-reports=.vitest-reports", "--reporter=json", "--outputFile=merged.json"], 300_000);
    expect([0, 1], merged.stderr).toContain(merged.status);
    // The verdicts, not the blast radius: where a reset cancels siblings, how many it catches
    // varies from run to run (7 and 11 in two unsharded runs of abort-with-1000-siblings).
    const verdicts = (results: Map<string, VitestTest>) => [...results].filter(([name]) => name.startsWith("recovery/"))
      .map(([name, test]) => ({ name, status: test.status, run: test.meta?.status, verdicts: test.meta?.verdicts }))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(verdicts(unsharded).length).toBeGreaterThanOrEqual(9);
    expect(verdicts(readVitestJson("merged.json"))).toEqual(verdicts(unsharded));
  });
});

interface VitestTest {
  status: string;
  meta?: { status: string; blastRadius: number; verdicts: Record<string, string> };
}

/** A vitest JSON report's tests by file and full name (file › describe › test), each with its status and recovery verdicts. */
function readVitestJson(file: string): Map<string, VitestTest> {
  const report = JSON.parse(readFileSync(join(project, file), "utf8")) as {
    testResults: { name: string; assertionResults: { fullName: string; ancestorTitles: string[]; title: string; status: string; meta?: { recovery?: VitestTest["meta"] } }[] }[];
  };
  const tests = new Map<string, VitestTest>();
  for (const file of report.testResults) {
    for (const result of file.assertionResults) {
      tests.set([relative(project, file.name), ...result.ancestorTitles, result.title].join(" › "), { status: result.status, meta: result.meta?.recovery });
    }
  }
  return tests;
}

/** One `npx vitest run` of the whole project (read once, shared by the cases that compare with it). */
let unshardedRun: Map<string, VitestTest> | undefined;
function vitestJson(file: string): Map<string, VitestTest> {
  if (!unshardedRun) {
    const run = sh("npx", ["vitest", "run", "--reporter=json", `--outputFile=${file}`], 600_000);
    // Exit 1 where a guarantee broke: what the real build does is what the verdicts say.
    expect([0, 1], run.stderr).toContain(run.status);
    unshardedRun = readVitestJson(file);
  }
  return unshardedRun;
}

/**
 * The scratch project becomes a workers-rs project as `worker-build` leaves it: the real build in
 * build/, a wrangler.toml, and its own vitest tests in workerd through cloudflareTest().
 */
function writeWorkersRsProject(): void {
  cpSync(REAL_BUILD, join(project, "build"), { recursive: true });
  writeFileSync(join(project, "wrangler.toml"), `name = "my-worker"
main = "build/worker/shim.mjs"
compatibility_date = "2025-09-01"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[durable_objects.bindings]]
name = "MY_CLASS"
class_name = "MyClass"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter", "MyClass"]
`);
  writeFileSync(join(project, "vitest.config.ts"), `import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      { plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })], test: { name: "worker", include: ["test/**/*.spec.ts"] } },
    ],
  },
});
`);
  mkdirSync(join(project, "test"), { recursive: true });
  writeFileSync(join(project, "test/index.spec.ts"), `import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("answers on its sibling route", async () => {
  const response = await exports.default.fetch("http://example.com/durable/hello");
  expect(response.status).toBe(200);
});
`);
}
