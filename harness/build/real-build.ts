// Builds workers/real-canary (a Worker on the real `worker` crate) with the real worker-build
// from crates.io and the real wasm-bindgen CLI, in each of worker-build's panic modes, into
// dist/<mode>/: what worker-build wrote to its output folder (index.js, index_bg.wasm,
// worker/shim.mjs, package.json) plus a manifest.json. Nothing is downloaded but crates from
// crates.io: the tools are `cargo install`ed (real-tools.ts), esbuild is the project's own npm
// package, wasm-opt is npm's binaryen of the version worker-build pins (its own download would
// come from GitHub), and the toolchain shims stand in for rustup's nightly. Every mode is built
// twice, as users ship it (worker-build runs wasm-opt on a release build: the `-opt` modes) and
// with `--no-opt`, so what the optimiser changes shows as a difference between the two.
//
// A mode is skipped when its manifest's inputs hash matches (the crate's sources, the local
// files it includes from outside, its lockfile, the mode's arguments and flags, the tool,
// esbuild and rustc versions, the shims), so an unchanged rebuild runs nothing.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import * as esbuild from "esbuild";
import type { RealBuild } from "../history/run.ts";
import { DIST_DIR, PROJECT_ROOT, WORKERS_DIR } from "../project.ts";
import { BuildError, type BuildOptions, DEFAULT_MAX_MEMORY_BYTES, validateMaxMemory } from "./build.ts";
import { MANIFEST_FILE } from "./manifest.ts";
import { type RealTools, type ToolSources, WORKER_BUILD_VERSION, ensureRealTools, ensureToolchainShims, lockedVersion, wrhCacheDir } from "./real-tools.ts";
import { hashStrings, hashTree, sha256 } from "./source-hash.ts";
import { type Toolchain, WASM_TARGET, requireToolchain } from "./toolchain.ts";
import type { EhEncoding } from "./variants.ts";
import { type ExceptionCensus, type MemoryLimits, ehEncodingOf, inspectWasm } from "./wasm-inspect.ts";
import { duration } from "../duration.ts";

export const REAL_CRATE_DIR = join(WORKERS_DIR, "real-canary");

/**
 * What a real build is built from and where it goes: this checkout's workers/real-canary into
 * dist/<mode>/, or a release point's copy of it (harness/releases/) into its own folder.
 */
export interface RealSource {
  crateDir: string;
  /** The builds go to <distRoot>/<mode>/. */
  distRoot: string;
  workerBuildVersion: string;
  /** The esbuild release that worker-build would download (its ESBUILD_VERSION); the project's own is used instead. */
  esbuildWanted: string;
  /** The shipped module's EH encoding is known per mode (RealMode.eh) and checked: true for this checkout's pins. */
  shippedEhKnown: boolean;
  /** Set where worker-build picks its output folder itself (0.7.x passes wasm-pack `--out-dir build` and refuses a second). */
  fixedOutDir?: string;
  /** Tools built from local source instead of their crates.io release (a patched point's). */
  toolSources?: ToolSources;
}

export const CHECKOUT_SOURCE: RealSource = {
  crateDir: REAL_CRATE_DIR, distRoot: DIST_DIR, workerBuildVersion: WORKER_BUILD_VERSION, esbuildWanted: "0.28.2",
  shippedEhKnown: true,
};
const REAL_LIB = "real_canary";
/** What worker-build writes: the bundled entry and the wasm it imports (a CompiledWasm module). */
export const REAL_ENTRY_FILE = "index.js";
export const REAL_WASM_FILE = "index_bg.wasm";
/** --no-panic-recovery (main_legacy.rs) moves the wasm; its index.js re-exports worker/shim.mjs. */
export const REAL_LEGACY_WASM_FILE = "worker/index.wasm";
/** Bump when this file changes what a build produces, so manifests from before rebuild. */
const RECIPE = "real-build/2";
const WASM_PAGE_BYTES = 64 * 1024;

export type RealModeName = RealBuild;

export interface RealMode {
  name: RealModeName;
  /** worker-build's own arguments for the mode (the builder adds --no-opt unless wasmOpt, and --out-dir). */
  workerBuildArgs: readonly string[];
  /** wasm-opt optimises the shipped module (worker-build's default for a release build). */
  wasmOpt: boolean;
  /** RUSTFLAGS set for the mode (worker-build appends -Cpanic=unwind for --panic-unwind). */
  rustflags: readonly string[];
  panic: "abort" | "unwind";
  /** The encoding rustc's output must have, before wasm-bindgen touches it. */
  rustcEh: EhEncoding;
  /**
   * The encoding the shipped index_bg.wasm must have. wasm-bindgen adds its own import
   * wrappers: with --force-enable-abort-handler and a module without EH it wraps imports in
   * try_table ("ModernButWithPanicAbort"), so the default abort mode ships exnref although
   * rustc emitted none; with unwind it wraps in the module's own dialect.
   */
  eh: EhEncoding;
  /** What worker-build's shim does after a panic or abort. */
  recovery: "reset" | "unwind" | "none";
  /** Where worker-build puts the wasm, relative to its output (and dist/<mode>/). */
  wasmFile: string;
  summary: string;
}

export const MEMORY_CAP = (bytes: number) => `-Clink-arg=--max-memory=${bytes}`;

const UNOPTIMISED: readonly RealMode[] = [
  {
    name: "real-abort",
    workerBuildArgs: [],
    wasmOpt: false,
    rustflags: [],
    panic: "abort",
    rustcEh: "none",
    eh: "exnref",
    recovery: "reset",
    wasmFile: REAL_WASM_FILE,
    summary: "worker-build default: panic=abort, shim.js resets the instance (wasm-bindgen reset-state + abort handler)",
  },
  {
    name: "real-unwind",
    workerBuildArgs: ["--release", "--panic-unwind"],
    wasmOpt: false,
    rustflags: ["-Cllvm-args=-wasm-use-legacy-eh=true"],
    panic: "unwind",
    rustcEh: "legacy",
    eh: "legacy",
    recovery: "unwind",
    wasmFile: REAL_WASM_FILE,
    summary: "worker-build --panic-unwind: panic=unwind, legacy exception handling (try/catch), shim-unwind.js",
  },
  {
    name: "real-unwind-exnref",
    workerBuildArgs: ["--release", "--panic-unwind"],
    wasmOpt: false,
    rustflags: ["-Cllvm-args=-wasm-use-legacy-eh=false"],
    panic: "unwind",
    rustcEh: "exnref",
    eh: "exnref",
    recovery: "unwind",
    wasmFile: REAL_WASM_FILE,
    summary: "worker-build --panic-unwind: panic=unwind, exnref exception handling (try_table), shim-unwind.js",
  },
  {
    name: "real-legacy",
    workerBuildArgs: ["--release", "--no-panic-recovery"],
    wasmOpt: false,
    rustflags: [],
    panic: "abort",
    rustcEh: "none",
    eh: "none",
    recovery: "none",
    wasmFile: REAL_LEGACY_WASM_FILE,
    summary: "worker-build --no-panic-recovery: panic=abort, legacy shim, never resets (negative control)",
  },
];

/** Each mode, then each again as worker-build ships it by default: optimised by wasm-opt. */
export const REAL_MODES: readonly RealMode[] = [
  ...UNOPTIMISED,
  ...UNOPTIMISED.map((mode) => ({
    ...mode, name: `${mode.name}-opt` as RealModeName, wasmOpt: true, summary: `${mode.summary}; optimised by wasm-opt, as shipped`,
  })),
];

export const REAL_MODE_NAMES = REAL_MODES.map((m) => m.name);

/** The mode a `-opt` mode optimises (itself for the others): the same rustc output, the same cargo folder. */
export function unoptimised(mode: RealMode): RealMode {
  return UNOPTIMISED.find((m) => m.name === mode.name.replace(/-opt$/, "")) ?? mode;
}

export function realModeByName(name: string): RealMode | undefined {
  return REAL_MODES.find((m) => m.name === name);
}

export interface RealBuildManifest {
  kind: "real";
  variant: RealModeName;
  summary: string;
  panicStrategy: "abort" | "unwind";
  /** Exception-handling encoding of the shipped wasm, as decoded. */
  ehEncoding: EhEncoding;
  recovery: RealMode["recovery"];
  /** Entry module for workerd: worker-build's bundle; it imports the wasm (CompiledWasm rule). */
  entry: string;
  versions: {
    worker: string;
    workerBuild: string;
    /** The wasm-bindgen library in workers/real-canary/Cargo.lock; the CLI is the same version. */
    wasmBindgen: string;
    wasmBindgenCli: string;
    /** The project's esbuild, passed as ESBUILD_BIN (worker-build would download its own). */
    esbuild: string;
    esbuildWorkerBuildWants: string;
    rustc: string;
  };
  /** Lockfile entries of the tools moved because this crates.io lacks a pinned version. */
  toolLockAdjustments: Record<string, string[]>;
  workerBuildArgs: string[];
  /** RUSTFLAGS given to worker-build. */
  rustflags: string[];
  /** RUSTFLAGS as cargo saw them (worker-build appends -Cpanic=unwind for --panic-unwind). */
  effectiveRustflags: string[];
  /** esbuild --minify, worker-build's default (NO_MINIFY unset). */
  minified: boolean;
  /** Whether wasm-opt (npm's binaryen, the version worker-build pins) optimised the shipped module; otherwise --no-opt. */
  wasmOpt: boolean;
  /** binaryen's version when wasmOpt (`wasm-opt --version`). */
  wasmOptVersion?: string;
  /** Where rustc comes from: `debian` (rustc-web) or `rustup-nightly` (preferred where it has the wasm32 target). */
  toolchainKind: string;
  maxMemoryBytes: number;
  /** Files of the project outside the crate that the build read (see externalSources). */
  externalSources: string[];
  inputsHash: string;
  wasm: { file: string; bytes: number; sha256: string; exceptions: ExceptionCensus; memory: MemoryLimits };
  /** rustc's output before wasm-bindgen, for the EH census of the compiler alone. */
  rustcWasm: { bytes: number; sha256: string; ehEncoding: EhEncoding; exceptions: ExceptionCensus };
  /** Every file worker-build wrote, relative to dist/<mode>/. */
  files: string[];
  compileMs: number;
  builtAt: string;
}

/** The reference build's options, for the real modes (worker-build's output goes to stderr). */
export interface RealBuildOptions extends Omit<BuildOptions, "variants"> {
  modes?: readonly RealMode[];
  /** This checkout's real canary by default. */
  source?: RealSource;
}

export interface RealModeBuild {
  manifest: RealBuildManifest;
  result: "built" | "up-to-date";
}

/** Where `mode` of a source's builds lives: dist/<mode>/ for this checkout's. */
export function realDistDir(mode: string, distRoot = DIST_DIR): string {
  return join(distRoot, mode);
}

export function readRealManifest(mode: string, distRoot = DIST_DIR): RealBuildManifest | undefined {
  const path = join(realDistDir(mode, distRoot), MANIFEST_FILE);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as RealBuildManifest;
  } catch {
    return undefined;
  }
}

/**
 * Where cargo compiles a mode: in the per-user cache, so another clone on this machine reuses
 * std and the ~80 dependencies and recompiles only the canary itself. The default mode and
 * --no-panic-recovery give rustc the same flags (they differ in wasm-bindgen and the shim), so
 * they share one folder and compile once.
 */
function modeTargetDir(mode: RealMode): string {
  const sameRustc = mode.panic === "abort" && mode.rustflags.length === 0;
  return join(wrhCacheDir(), "real-target", sameRustc ? "panic-abort" : unoptimised(mode).name);
}

function rustcWasmPath(mode: RealMode): string {
  return join(modeTargetDir(mode), WASM_TARGET, "release", `${REAL_LIB}.wasm`);
}

/** The native esbuild binary of the project's esbuild package. */
export function projectEsbuild(): string {
  const require = createRequire(join(PROJECT_ROOT, "package.json"));
  const esbuildDir = dirname(require.resolve("esbuild/package.json"));
  const candidates = [
    join(dirname(esbuildDir), "@esbuild", `${process.platform}-${process.arch}`, "bin", "esbuild"),
    join(esbuildDir, "bin", "esbuild"),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new BuildError(`no esbuild binary under ${esbuildDir}; run \`npm install\``);
  return found;
}

/**
 * npm's binaryen wasm-opt: the release worker-build pins (its CUR_WASM_OPT_VERSION), a Node
 * script, so no binary is downloaded; undefined where it does not resolve (an installed
 * package, whose devDependencies are not installed).
 */
export function findProjectWasmOpt(): { bin: string; version: string } | undefined {
  const require = createRequire(join(PROJECT_ROOT, "package.json"));
  let dir: string;
  try {
    dir = dirname(require.resolve("binaryen/package.json"));
  } catch {
    return undefined;
  }
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string };
  return { bin: join(dir, "bin", "wasm-opt"), version };
}

/** findProjectWasmOpt, required: its version is an input of every -opt build. */
function projectWasmOpt(): { bin: string; version: string } {
  const found = findProjectWasmOpt();
  if (!found) throw new BuildError("npm's binaryen (wasm-opt for the -opt real builds) is not installed; run `npm install`");
  return found;
}

/**
 * Files of this checkout outside the crate that the build of `mode` just read (cargo's
 * dep-info), e.g. a `#[path = "../../canary/src/…"]` module, relative to the project. Read right
 * after a build and kept in the manifest: the target folder is shared by every clone on the
 * machine, so its dep-info may name another clone's files later. Registry and std sources are
 * covered by the lockfile and the rustc version.
 */
function externalSourcesOf(mode: RealMode, crateDir: string): string[] {
  const depInfo = join(modeTargetDir(mode), WASM_TARGET, "release", `${REAL_LIB}.d`);
  if (!existsSync(depInfo)) return [];
  const files = new Set<string>();
  for (const line of readFileSync(depInfo, "utf8").split("\n")) {
    const colon = line.search(/:(\s|$)/);
    if (colon < 0) continue;
    for (const raw of line.slice(colon + 1).trim().split(/(?<!\\)\s+/)) {
      if (!raw) continue;
      const path = resolve(crateDir, raw.replaceAll("\\ ", " "));
      const inProject = !relative(PROJECT_ROOT, path).startsWith("..");
      const inCrate = !relative(crateDir, path).startsWith("..");
      if (inProject && !inCrate) files.add(relative(PROJECT_ROOT, path));
    }
  }
  return [...files].sort();
}

interface RealInputs {
  source: RealSource;
  toolchain: Toolchain;
  tools: RealTools;
  shimsHash: string;
  shimsDir: string;
  wasmOptShim: string;
  /** npm's binaryen wasm-opt and its version, for the -opt modes. */
  wasmOpt: { bin: string; version: string };
  esbuildBin: string;
  maxMemoryBytes: number;
  crateHash: string;
  workerVersion: string;
  wasmBindgenVersion: string;
}

function rustflagsFor(mode: RealMode, maxMemoryBytes: number): string[] {
  return [...mode.rustflags, MEMORY_CAP(maxMemoryBytes)];
}

function inputsHashFor(mode: RealMode, inputs: RealInputs, externalFiles: readonly string[]): string {
  const external = externalFiles.flatMap((file) => {
    const path = join(PROJECT_ROOT, file);
    return [file, existsSync(path) ? sha256(readFileSync(path)) : "missing"];
  });
  return hashStrings([
    RECIPE, mode.name, inputs.crateHash, ...external,
    "args", ...mode.workerBuildArgs, mode.wasmOpt ? `wasm-opt ${inputs.wasmOpt.version}` : "--no-opt", "rustflags", ...rustflagsFor(mode, inputs.maxMemoryBytes),
    inputs.tools.workerBuild.version, inputs.tools.wasmBindgen.version, esbuild.version,
    // A tool built from source is known by its content hash, which names its folder.
    ...[inputs.tools.workerBuild, inputs.tools.wasmBindgen].flatMap((tool) => tool.fromSource ? [tool.bin] : []),
    inputs.toolchain.version, inputs.toolchain.rustc, inputs.toolchain.cargo, inputs.toolchain.linker ?? "",
    inputs.shimsHash,
  ]);
}

function filesUnder(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, base));
    else out.push(relative(base, path));
  }
  return out.sort();
}

/** What worker-build is given: the same for the canary's modes and for a crate of the user's (`wrh build --crate`). */
export interface WorkerBuildEnvOptions {
  /** The toolchain shims (real-tools.ts), put first on PATH. */
  shimsDir: string;
  wasmBindgenBin: string;
  esbuildBin: string;
  /** npm's binaryen wasm-opt, or the refusing shim when worker-build runs with --no-opt. */
  wasmOptBin: string;
  rustflags: readonly string[];
  /** Unset: the caller's CARGO_TARGET_DIR, else cargo's own default. */
  targetDir?: string;
}

/** The environment worker-build runs in: its binary overrides set, so it never downloads a tool. */
export function workerBuildEnv(options: WorkerBuildEnvOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${options.shimsDir}:${process.env.PATH ?? ""}`,
    RUSTFLAGS: options.rustflags.join(" "),
    ...(options.targetDir ? { CARGO_TARGET_DIR: options.targetDir } : {}),
    WASM_BINDGEN_BIN: options.wasmBindgenBin,
    ESBUILD_BIN: options.esbuildBin,
    WASM_OPT_BIN: options.wasmOptBin,
  };
  // Whatever the caller's shell has must not change what users would get from worker-build.
  for (const name of ["CARGO_ENCODED_RUSTFLAGS", "NO_MINIFY", "CUSTOM_SHIM", "COREDUMP", "RUN_TO_COMPLETION",
    "RUSTUP_TOOLCHAIN", "CARGO", "RUSTC", "RUSTC_WRAPPER", "CARGO_BUILD_TARGET"]) delete env[name];
  return env;
}

/**
 * Runs worker-build with its output streamed to stderr. A "Downloading …" line means one of the
 * overrides was not honoured (a worker-build release that reads another variable): that is a
 * failed build even when worker-build succeeds, since the result came from GitHub, not from here.
 */
export function spawnWorkerBuild(bin: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; label: string }): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let downloaded = "";
    const pass = (chunk: Buffer) => {
      process.stderr.write(chunk);
      const text = chunk.toString("utf8");
      const match = /Downloading (Wasm Bindgen|Esbuild|Wasm Opt)@\S+/.exec(text);
      if (match) downloaded = match[0];
    };
    child.stdout.on("data", pass);
    child.stderr.on("data", pass);
    child.on("error", (e) => reject(new BuildError(`cannot run ${bin}: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (downloaded) reject(new BuildError(`${options.label}: worker-build tried a download (${downloaded}); its binary overrides were not used`));
      else if (code === 0) resolvePromise();
      else reject(new BuildError(`worker-build failed for ${options.label} (${signal ?? `exit ${code}`}); its errors are above`));
    });
  });
}

function runWorkerBuild(mode: RealMode, inputs: RealInputs, outDir: string): Promise<void> {
  const args = [...mode.workerBuildArgs, ...(mode.wasmOpt ? [] : ["--no-opt"]), ...(inputs.source.fixedOutDir ? [] : ["--out-dir", outDir])];
  const env = workerBuildEnv({
    shimsDir: inputs.shimsDir,
    wasmBindgenBin: inputs.tools.wasmBindgen.bin,
    esbuildBin: inputs.esbuildBin,
    wasmOptBin: mode.wasmOpt ? inputs.wasmOpt.bin : inputs.wasmOptShim,
    rustflags: rustflagsFor(mode, inputs.maxMemoryBytes),
    targetDir: modeTargetDir(mode),
  });
  return spawnWorkerBuild(inputs.tools.workerBuild.bin, args, { cwd: inputs.source.crateDir, env, label: mode.name });
}


function verify(
  mode: RealMode, source: RealSource, found: EhEncoding | "mixed", rustcFound: EhEncoding | "mixed", memory: MemoryLimits | undefined, maxMemoryBytes: number,
): void {
  if (rustcFound !== mode.rustcEh) {
    throw new BuildError(
      `${mode.name}: rustc's ${REAL_LIB}.wasm should have ${mode.rustcEh} exception handling but has ${rustcFound}; ` +
      `the toolchain may not honour ${[...mode.rustflags, ...(mode.panic === "unwind" ? ["-Cpanic=unwind"] : [])].join(" ") || "its default flags"}`,
    );
  }
  // What wasm-bindgen adds to the shipped module is a property of its release (the abort
  // handler's try_table wrappers came with 0.2.125): enforced for this checkout's pins, recorded
  // in the manifest for a release point.
  if (source.shippedEhKnown && found !== mode.eh) {
    throw new BuildError(`${mode.name}: the shipped ${mode.wasmFile} should have ${mode.eh} exception handling but has ${found}`);
  }
  if (!memory || memory.maxPages !== maxMemoryBytes / WASM_PAGE_BYTES) {
    throw new BuildError(
      `${mode.name}: ${mode.wasmFile} should cap memory at ${maxMemoryBytes / WASM_PAGE_BYTES} pages ` +
      `but declares ${memory?.maxPages ?? "no"} maximum (RUSTFLAGS must reach the link)`,
    );
  }
}

const LOCK_WAIT_MS = 30 * 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `body` holding this checkout's lock on `mode`: two builds of one mode at once (`npm test`
 * beside `wrh build`) would write worker-build's output folder and dist/ over each other. A lock
 * left by a process that is gone is taken over.
 */
async function withModeLock<T>(mode: RealMode, crateDir: string, log: (line: string) => void, body: () => Promise<T>): Promise<T> {
  const lock = join(crateDir, "target", `${mode.name}.lock`);
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(existsSync(join(lock, "pid")) ? readFileSync(join(lock, "pid"), "utf8") : 0);
      if (owner && !alive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new BuildError(`${mode.name}: another build (pid ${owner}) has held ${lock} for ${LOCK_WAIT_MS / 60_000} minutes`);
      if (!told) log(`${mode.name}: waiting for another build of it (pid ${owner}) to finish…`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function buildMode(mode: RealMode, inputs: RealInputs, force: boolean, log: (line: string) => void): Promise<RealModeBuild> {
  const dist = realDistDir(mode.name, inputs.source.distRoot);
  const previous = readRealManifest(mode.name, inputs.source.distRoot);
  const before = inputsHashFor(mode, inputs, previous?.externalSources ?? []);
  const current = previous?.kind === "real" && previous.inputsHash === before &&
    existsSync(join(dist, REAL_ENTRY_FILE)) && existsSync(join(dist, mode.wasmFile));
  if (current && !force) {
    log(`${mode.name}: up to date (${join(dist, REAL_ENTRY_FILE)})`);
    // Not an input of the build, only a record of it: corrected in place.
    if (previous.versions.esbuildWorkerBuildWants !== inputs.source.esbuildWanted) {
      previous.versions.esbuildWorkerBuildWants = inputs.source.esbuildWanted;
      writeFileSync(join(dist, MANIFEST_FILE), JSON.stringify(previous, null, 2) + "\n");
    }
    return { manifest: previous, result: "up-to-date" };
  }

  const cold = !existsSync(modeTargetDir(mode));
  log(`${mode.name}: worker-build ${[...mode.workerBuildArgs].join(" ") || "(default)"} (${mode.summary})` +
    `${cold ? "; a cold build compiles std and ~80 crates first, a few minutes" : ""}…`);
  const outDir = inputs.source.fixedOutDir
    ? join(inputs.source.crateDir, inputs.source.fixedOutDir)
    : join(inputs.source.crateDir, "target", mode.name, "worker-build-out");
  rmSync(outDir, { recursive: true, force: true });
  const started = performance.now();
  await runWorkerBuild(mode, inputs, outDir);
  const compileMs = Math.round(performance.now() - started);

  for (const file of [REAL_ENTRY_FILE, mode.wasmFile]) {
    if (!existsSync(join(outDir, file))) throw new BuildError(`${mode.name}: worker-build finished but wrote no ${file} in ${outDir}`);
  }
  const bytes = readFileSync(join(outDir, mode.wasmFile));
  const { exceptions, memory } = inspectWasm(bytes);
  const rustcBytes = readFileSync(rustcWasmPath(mode));
  const rustcExceptions = inspectWasm(rustcBytes).exceptions;
  const found = ehEncodingOf(exceptions);
  const rustcFound = ehEncodingOf(rustcExceptions);
  verify(mode, inputs.source, found, rustcFound, memory, inputs.maxMemoryBytes);

  rmSync(dist, { recursive: true, force: true });
  cpSync(outDir, dist, { recursive: true });
  const files = filesUnder(dist);
  const rustflags = rustflagsFor(mode, inputs.maxMemoryBytes);
  const externalSources = externalSourcesOf(mode, inputs.source.crateDir);
  const manifest: RealBuildManifest = {
    kind: "real",
    variant: mode.name,
    summary: mode.summary,
    panicStrategy: mode.panic,
    ehEncoding: found as EhEncoding,
    recovery: mode.recovery,
    entry: REAL_ENTRY_FILE,
    versions: {
      worker: inputs.workerVersion,
      workerBuild: inputs.tools.workerBuild.version,
      wasmBindgen: inputs.wasmBindgenVersion,
      wasmBindgenCli: inputs.tools.wasmBindgen.version,
      esbuild: esbuild.version,
      esbuildWorkerBuildWants: inputs.source.esbuildWanted,
      rustc: inputs.toolchain.version,
    },
    toolLockAdjustments: {
      [`worker-build ${inputs.tools.workerBuild.version}`]: inputs.tools.workerBuild.lockAdjustments,
      [`wasm-bindgen-cli ${inputs.tools.wasmBindgen.version}`]: inputs.tools.wasmBindgen.lockAdjustments,
    },
    workerBuildArgs: [...mode.workerBuildArgs, ...(mode.wasmOpt ? [] : ["--no-opt"])],
    rustflags,
    effectiveRustflags: mode.workerBuildArgs.includes("--panic-unwind") ? [...rustflags, "-Cpanic=unwind"] : rustflags,
    minified: true,
    wasmOpt: mode.wasmOpt,
    ...(mode.wasmOpt ? { wasmOptVersion: inputs.wasmOpt.version } : {}),
    toolchainKind: inputs.toolchain.kind,
    maxMemoryBytes: inputs.maxMemoryBytes,
    // After the build: its dep-info now names every local file it read.
    externalSources,
    inputsHash: inputsHashFor(mode, inputs, externalSources),
    wasm: { file: mode.wasmFile, bytes: bytes.length, sha256: sha256(bytes), exceptions, memory: memory! },
    rustcWasm: { bytes: rustcBytes.length, sha256: sha256(rustcBytes), ehEncoding: rustcFound as EhEncoding, exceptions: rustcExceptions },
    files,
    compileMs,
    builtAt: new Date().toISOString(),
  };
  writeFileSync(join(dist, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
  log(`${mode.name}: built in ${duration(compileMs)} → ${join(dist, REAL_ENTRY_FILE)} + ${mode.wasmFile} ` +
    `(${(bytes.length / 1024).toFixed(1)} KiB, shipped EH ${found}, rustc EH ${rustcFound})`);
  return { manifest, result: "built" };
}

/** Installs the tools when missing, then builds the requested real modes (all by default), one after another. */
export async function buildReal(options: RealBuildOptions = {}): Promise<RealModeBuild[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`wrh build: ${line}\n`));
  const toolchain = options.toolchain ?? requireToolchain();
  const source = options.source ?? CHECKOUT_SOURCE;
  const lockPath = join(source.crateDir, "Cargo.lock");
  if (!existsSync(lockPath)) throw new BuildError(`${lockPath} is missing; the real canary is built with its lockfile`);
  const workerVersion = lockedVersion(lockPath, "worker");
  const wasmBindgenVersion = lockedVersion(lockPath, "wasm-bindgen");
  if (!workerVersion || !wasmBindgenVersion) throw new BuildError(`${lockPath} must lock both worker and wasm-bindgen`);
  const tools = await ensureRealTools(lockPath, source.workerBuildVersion, log, source.toolSources);
  const shims = ensureToolchainShims(toolchain);
  const inputs: RealInputs = {
    source, toolchain, tools,
    shimsHash: shims.hash, shimsDir: shims.dir, wasmOptShim: shims.wasmOpt, wasmOpt: projectWasmOpt(),
    esbuildBin: projectEsbuild(),
    maxMemoryBytes: validateMaxMemory(options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES),
    crateHash: hashTree(source.crateDir, new Set(["target", "build"])),
    workerVersion, wasmBindgenVersion,
  };
  const results: RealModeBuild[] = [];
  for (const mode of options.modes ?? REAL_MODES) {
    results.push(await withModeLock(mode, source.crateDir, log, () => buildMode(mode, inputs, options.force ?? false, log)));
  }
  return results;
}
