// `npm run test:upstream`: each fix candidate's test in upstream's own form
// (docs/upstream/<finding>/upstream.json), run here twice: against the release as published,
// where it must fail, and with the fix's patches, where it must pass. What runs is what a
// maintainer would run, nothing of the harness inside it: in wasm-bindgen's form, a small crate
// built for wasm32 with this machine's toolchain, bound by the real wasm-bindgen CLI (`--target
// nodejs`) and run by plain Node; in workers-rs's form, a worker crate built by the real
// worker-build and a vitest spec driving it through Miniflare.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { BuildError } from "../build/build.ts";
import { installTool, lockedVersion, type ToolSources } from "../build/real-tools.ts";
import { buildCrate } from "../cli/build-crate-command.ts";
import { ensureToolchain, type Toolchain, WASM_TARGET } from "../build/toolchain.ts";
import { PROJECT_ROOT, WORKERS_DIR } from "../project.ts";
import { cargoPatchSection, makePatchedCopies, type PointPatch } from "../releases/patches.ts";

/** docs/upstream/<finding>/upstream.json: one test in upstream's form and the fix it judges. */
export type UpstreamTest = WasmBindgenFormTest | WorkersRsFormTest;

interface UpstreamTestBase {
  finding: string;
  /** What the test asserts, as a maintainer reads it. */
  asserts: string;
  /** The crate of the test, relative to the file, with its Cargo.lock. */
  project: string;
  /** The fix: diffs against the published crates the project locks (or the tools it is built with). */
  patches: PointPatch[];
}

/**
 * A test in wasm-bindgen's form (crates/cli/tests/wasm-bindgen): the crate bound by the real
 * wasm-bindgen CLI (`--target nodejs`) and run by a plain Node script.
 */
export interface WasmBindgenFormTest extends UpstreamTestBase {
  form?: "wasm-bindgen";
  /**
   * The Node script (in the project) run beside the bound output: exit 0 and "PASS" a pass; exit
   * 1 and a line "FAIL: …" its assertion failed; anything else (a crash) the script's own failure.
   */
  node: string;
  /** Flags for rustc (the CLI that binds the output is the wasm-bindgen the project locks). */
  rustflags: string[];
  /** `-Zbuild-std=` (std is built from source, as a panic=unwind build needs). */
  buildStd: string;
}

/**
 * A test in workers-rs's form: a worker crate laid out as workers-rs's test/ (routes in src/, a
 * vitest spec in tests/ that drives the built worker through Miniflare, as test/tests/mf.ts does),
 * built by the real worker-build as `wrh build --crate --dev` builds, and the spec run by vitest.
 */
export interface WorkersRsFormTest extends UpstreamTestBase {
  form: "workers-rs";
  /** The spec, relative to the project. */
  spec: string;
  /** Built with `--panic-unwind`. */
  panicUnwind?: boolean;
  /** Text the release's failure must show: the assertion the fix is about, not another one. */
  fails: string;
}

const UPSTREAM_DIR = join(PROJECT_ROOT, "docs", "upstream");
const WORK_DIR = join(WORKERS_DIR, "target", "upstream");
const NODE_DEADLINE_MS = 60_000;
/** A spec starts workerd and sends a handful of requests. */
const SPEC_DEADLINE_MS = 180_000;

/** Every test of docs/upstream/<finding>/upstream.json (one test, or a list: a finding may have one per upstream project). */
export function upstreamTests(): { dir: string; test: UpstreamTest }[] {
  return readdirSync(UPSTREAM_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(UPSTREAM_DIR, entry.name, "upstream.json")))
    .flatMap((entry) => {
      const dir = join(UPSTREAM_DIR, entry.name);
      const parsed = JSON.parse(readFileSync(join(dir, "upstream.json"), "utf8")) as UpstreamTest | UpstreamTest[];
      return (Array.isArray(parsed) ? parsed : [parsed])
        .map((test) => ({ dir, test: { ...test, patches: test.patches.map((p) => ({ ...p, file: join(dir, p.file) })) } }));
    })
    .sort((a, b) => a.test.finding.localeCompare(b.test.finding, undefined, { numeric: true }));
}

/** Where one test builds: its finding, and its form when not wasm-bindgen's. */
function workDir(test: UpstreamTest): string {
  return join(WORK_DIR, test.form === "workers-rs" ? `${test.finding}-workers-rs` : test.finding);
}

function cargoBuild(toolchain: Toolchain, cwd: string, targetDir: string, test: WasmBindgenFormTest): Promise<void> {
  const args = ["build", "--release", "--target", WASM_TARGET, `-Zbuild-std=${test.buildStd}`, "--target-dir", targetDir];
  const env: NodeJS.ProcessEnv = {
    ...process.env, RUSTC_BOOTSTRAP: "1", RUSTC: toolchain.rustc, CARGO_ENCODED_RUSTFLAGS: test.rustflags.join("\x1f"),
    ...(toolchain.linker ? { CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER: toolchain.linker } : {}),
  };
  delete env.RUSTFLAGS;
  return new Promise((resolve, reject) => {
    const child = spawn(toolchain.cargo, args, { cwd, env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", (e) => reject(new BuildError(`cannot run ${toolchain.cargo}: ${e.message}`)));
    child.on("close", (code) => code === 0 ? resolve() : reject(new BuildError(`${test.finding}: cargo build failed (exit ${code}); its errors are above`)));
  });
}

interface Outcome {
  variant: "release" | "fixed";
  exit: number | null;
  said: string;
  buildSeconds: number;
}

/** Builds and runs one variant of a test: the project as published, or with the fix's patches. */
async function runVariant(test: UpstreamTest, dir: string, variant: Outcome["variant"], toolchain: Toolchain, log: (line: string) => void): Promise<Outcome> {
  const project = join(dir, test.project);
  const lockPath = join(project, "Cargo.lock");
  const work = join(workDir(test), variant);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(project, work, { recursive: true, filter: (path) => !/[/\\](target|build|pkg|node_modules)$/.test(path) });
  const bindgenVersion = lockedVersion(lockPath, "wasm-bindgen")!;
  // A library fix reaches the build through [patch.crates-io]; a tool's (the glue generator,
  // worker-build and its shim) goes into a copy of the tool built from the patched source.
  let tools: ToolSources = {};
  if (variant === "fixed") {
    const copies = await makePatchedCopies(test.patches, {
      dir: workDir(test), lockPath, workerBuild: lockedVersion(lockPath, "worker") ?? "", wasmBindgen: bindgenVersion, what: test.finding, log,
    });
    tools = { workerBuild: copies.workerBuild, wasmBindgenCli: copies.wasmBindgenCli };
    writeFileSync(join(work, "Cargo.toml"), readFileSync(join(work, "Cargo.toml"), "utf8") + cargoPatchSection(copies.libraries));
  }
  return test.form === "workers-rs"
    ? runWorkersRsForm(test, work, variant, tools, log)
    : runWasmBindgenForm(test, work, variant, toolchain, tools.wasmBindgenCli, bindgenVersion, log);
}

async function runWasmBindgenForm(
  test: WasmBindgenFormTest, work: string, variant: Outcome["variant"], toolchain: Toolchain, cliSource: string | undefined, bindgenVersion: string, log: (line: string) => void,
): Promise<Outcome> {
  log(`${test.finding} ${variant}: building ${test.project}${cliSource ? " (bound by the CLI built with the patched glue generator)" : ""} (${[...test.rustflags, `-Zbuild-std=${test.buildStd}`].join(" ")})`);
  const started = performance.now();
  await cargoBuild(toolchain, work, join(workDir(test), "target"), test);
  const buildSeconds = (performance.now() - started) / 1000;
  const crate = /^name\s*=\s*"([^"]+)"/m.exec(readFileSync(join(work, "Cargo.toml"), "utf8"))![1]!.replaceAll("-", "_");
  const wasm = join(workDir(test), "target", WASM_TARGET, "release", `${crate}.wasm`);
  const cli = await installTool({ crate: "wasm-bindgen-cli", version: bindgenVersion, bin: "wasm-bindgen", path: cliSource, coldHint: "a cold install compiles ~180 crates" }, log);
  const pkg = join(work, "pkg");
  const bound = spawnSync(cli.bin, [wasm, "--target", "nodejs", "--out-dir", pkg], { encoding: "utf8" });
  if (bound.status !== 0) throw new BuildError(`${test.finding}: wasm-bindgen ${bindgenVersion} failed: ${bound.stderr.trim().split("\n")[0]}`);
  cpSync(join(work, test.node), join(pkg, basename(test.node)));
  // Outside any package, as upstream's tests run it: Node then reads `--target nodejs`'s glue as
  // CommonJS and its inline_js snippets as the ES modules they are, not as the project's "module".
  writeFileSync(join(pkg, "package.json"), "{}\n");
  const ran = spawnSync(process.execPath, [basename(test.node)], { cwd: pkg, encoding: "utf8", timeout: NODE_DEADLINE_MS });
  const said = `${ran.stdout}${ran.stderr}`.trim().split("\n").filter(Boolean).join(" / ");
  return { variant, exit: ran.status, said: ran.error ? `no answer in ${NODE_DEADLINE_MS / 1000} s` : said, buildSeconds };
}

async function runWorkersRsForm(test: WorkersRsFormTest, work: string, variant: Outcome["variant"], tools: ToolSources, log: (line: string) => void): Promise<Outcome> {
  log(`${test.finding} ${variant}: building ${test.project} with worker-build --dev${test.panicUnwind ? " --panic-unwind" : ""}${tools.workerBuild ? " (built from the patched source)" : ""}`);
  const started = performance.now();
  // Both variants share one target folder: only what a patch touches is compiled twice.
  await buildCrate({ crate: work, panicUnwind: !!test.panicUnwind, dev: true, noOpt: true, toolSources: tools, targetDir: join(workDir(test), "target") }, log);
  const buildSeconds = (performance.now() - started) / 1000;
  // The spec resolves vitest and miniflare from this project's node_modules, above WORK_DIR.
  const vitest = join(PROJECT_ROOT, "node_modules", "vitest", "vitest.mjs");
  // An empty config of its own, or vitest would take this project's from a folder above.
  writeFileSync(join(work, "vitest.config.mjs"), "export default {};\n");
  const ran = spawnSync(process.execPath, [vitest, "run", "--root", work, "--config", join(work, "vitest.config.mjs"), test.spec], {
    cwd: work, encoding: "utf8", timeout: SPEC_DEADLINE_MS, env: { ...process.env, NO_COLOR: "1", CI: "true" },
  });
  // What a maintainer needs of vitest's report: the failed assertions and the count.
  const said = `${ran.stdout}${ran.stderr}`.split("\n").map((line) => line.trim())
    .filter((line) => /^AssertionError\b|^Tests\s+\d/.test(line)).join(" / ");
  return { variant, exit: ran.status, said: ran.error ? `no answer in ${SPEC_DEADLINE_MS / 1000} s` : said, buildSeconds };
}

/** Whether a variant did what it must: the release fails the fix's assertion (not another, not by crashing), the fix passes. */
function judged(test: UpstreamTest, release: Outcome, fixed: Outcome): boolean {
  const failedTheAssertion = test.form === "workers-rs"
    ? release.exit === 1 && release.said.includes(test.fails)
    : release.exit === 1 && /^FAIL: /m.test(release.said.replaceAll(" / ", "\n"));
  return failedTheAssertion && fixed.exit === 0;
}

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { only: { type: "string", multiple: true }, help: { type: "boolean" } } });
  if (values.help) {
    process.stdout.write(`Usage: npm run test:upstream [-- --only FINDING]...
  Runs each fix candidate's test in upstream's form (docs/upstream/<finding>/upstream.json)
  against the release as published, where it must fail, and with the fix, where it must pass.
  Exit 0 when every test does both, 1 otherwise, 2 on bad input.\n`);
    return 0;
  }
  const all = upstreamTests();
  const unknown = (values.only ?? []).filter((f) => !all.some(({ test }) => test.finding === f));
  if (unknown.length) {
    process.stderr.write(`test:upstream: no upstream test for ${unknown.join(", ")}; there are ${all.map(({ test }) => test.finding).join(", ")}\n`);
    return 2;
  }
  const log = (line: string) => process.stderr.write(`test:upstream: ${line}\n`);
  const toolchain = ensureToolchain(log);
  let failed = 0;
  const rows: string[] = [];
  for (const { dir, test } of all.filter(({ test }) => !values.only || values.only.includes(test.finding))) {
    const started = performance.now();
    const release = await runVariant(test, dir, "release", toolchain, log);
    const fixed = await runVariant(test, dir, "fixed", toolchain, log);
    // A test that fails for another reason proves nothing about the fix.
    const ok = judged(test, release, fixed);
    if (!ok) failed++;
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    rows.push(
      `${test.finding}: ${ok ? "ok" : "FAILED"}: ${test.asserts} (${seconds} s)`,
      `  as released (must fail its assertion, exit 1): exit ${release.exit}: ${release.said}`,
      `  with the fix (must pass): exit ${fixed.exit}: ${fixed.said}`,
    );
  }
  process.stdout.write(`${rows.join("\n")}\n`);
  return failed ? 1 : 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (error: Error) => {
    process.stderr.write(`test:upstream: ${error.message}\n`);
    process.exit(error instanceof BuildError ? 1 : 3);
  });
}
