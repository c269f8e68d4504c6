// `npm run test:upstream`: each fix candidate's test in upstream's own form
// (docs/upstream/<finding>/upstream.json), run here twice: against the release as published,
// where it must fail, and with the fix's patches, where it must pass. A test is a small crate
// built for wasm32 with this machine's toolchain, bound by the real wasm-bindgen CLI
// (`--target nodejs`) and run by plain Node: what a maintainer would run, nothing of the harness
// inside it.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { BuildError } from "../build/build.ts";
import { installTool, lockedVersion } from "../build/real-tools.ts";
import { ensureToolchain, type Toolchain, WASM_TARGET } from "../build/toolchain.ts";
import { PROJECT_ROOT, WORKERS_DIR } from "../project.ts";
import { cargoPatchSection, makePatchedCopies, type PointPatch } from "../releases/patches.ts";

/** docs/upstream/<finding>/upstream.json: one test in upstream's form and the fix it judges. */
export interface UpstreamTest {
  finding: string;
  /** What the test asserts, as a maintainer reads it. */
  asserts: string;
  /** The crate of the test, relative to the file: Cargo.toml, Cargo.lock, src/, and `node` below. */
  project: string;
  /**
   * The Node script (in the project) run beside the bound output: exit 0 and "PASS" a pass; exit
   * 1 and a line "FAIL: …" its assertion failed; anything else (a crash) the script's own failure.
   */
  node: string;
  /** Flags for rustc (the CLI that binds the output is the wasm-bindgen the project locks). */
  rustflags: string[];
  /** `-Zbuild-std=` (std is built from source, as a panic=unwind build needs). */
  buildStd: string;
  /** The fix: diffs against the published crates the project locks. */
  patches: PointPatch[];
}

const UPSTREAM_DIR = join(PROJECT_ROOT, "docs", "upstream");
const WORK_DIR = join(WORKERS_DIR, "target", "upstream");
const NODE_DEADLINE_MS = 60_000;

export function upstreamTests(): { dir: string; test: UpstreamTest }[] {
  return readdirSync(UPSTREAM_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(UPSTREAM_DIR, entry.name, "upstream.json")))
    .map((entry) => {
      const dir = join(UPSTREAM_DIR, entry.name);
      const test = JSON.parse(readFileSync(join(dir, "upstream.json"), "utf8")) as UpstreamTest;
      return { dir, test: { ...test, patches: test.patches.map((p) => ({ ...p, file: join(dir, p.file) })) } };
    })
    .sort((a, b) => a.test.finding.localeCompare(b.test.finding, undefined, { numeric: true }));
}

function cargoBuild(toolchain: Toolchain, cwd: string, targetDir: string, test: UpstreamTest): Promise<void> {
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

/** Builds and runs one variant of a test: the project as published, or with the fix's patches in `[patch.crates-io]`. */
async function runVariant(test: UpstreamTest, dir: string, variant: Outcome["variant"], toolchain: Toolchain, log: (line: string) => void): Promise<Outcome> {
  const project = join(dir, test.project);
  const work = join(WORK_DIR, test.finding, variant);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  for (const entry of ["Cargo.toml", "Cargo.lock", "src", test.node]) cpSync(join(project, entry), join(work, entry), { recursive: true });
  const bindgenVersion = lockedVersion(join(project, "Cargo.lock"), "wasm-bindgen")!;
  // The glue generator is not a dependency of the crate: its fix goes into the CLI that binds it.
  let cliSource: string | undefined;
  if (variant === "fixed") {
    const copies = await makePatchedCopies(test.patches, {
      dir: join(WORK_DIR, test.finding), lockPath: join(project, "Cargo.lock"), workerBuild: "", wasmBindgen: bindgenVersion, what: test.finding, log,
    });
    cliSource = copies.wasmBindgenCli;
    writeFileSync(join(work, "Cargo.toml"), readFileSync(join(work, "Cargo.toml"), "utf8") + cargoPatchSection(copies.libraries));
  }
  log(`${test.finding} ${variant}: building ${test.project}${cliSource ? " (bound by the CLI built with the patched glue generator)" : ""} (${[...test.rustflags, `-Zbuild-std=${test.buildStd}`].join(" ")})`);
  const started = performance.now();
  await cargoBuild(toolchain, work, join(WORK_DIR, test.finding, "target"), test);
  const buildSeconds = (performance.now() - started) / 1000;
  const crate = /^name\s*=\s*"([^"]+)"/m.exec(readFileSync(join(project, "Cargo.toml"), "utf8"))![1]!.replaceAll("-", "_");
  const wasm = join(WORK_DIR, test.finding, "target", WASM_TARGET, "release", `${crate}.wasm`);
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
    // The release must fail the assertion (exit 1), not crash or trip the script's own checks:
    // a test that fails for another reason proves nothing about the fix.
    const ok = release.exit === 1 && /^FAIL: /m.test(release.said.replaceAll(" / ", "\n")) && fixed.exit === 0;
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
