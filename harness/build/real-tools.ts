// The host tools a real workers-rs build needs, installed from crates.io into a per-user cache
// (never downloaded as prebuilt binaries), and the small wrappers that let the real
// worker-build drive this project's offline Rust toolchain:
//   - worker-build at WORKER_BUILD_VERSION;
//   - wasm-bindgen-cli at exactly the wasm-bindgen version of the crate's Cargo.lock (worker-build
//     insists on that version and would otherwise download it);
//   - toolchain shims: `cargo`, `rustc`, `rustup` and a refusing `wasm-opt`, put first on PATH of
//     worker-build's children. worker-build calls `cargo +nightly`, `rustc +nightly`,
//     `rustup component list` and checks that rustc has a wasm32 target-libdir; the toolchain
//     here is a stable rustc that builds std from source (RUSTC_BOOTSTRAP=1, -Zbuild-std), so
//     the shims translate those calls instead of letting worker-build reach for rustup's servers.
//
// Cache layout: $XDG_CACHE_HOME/wrh (default ~/.cache/wrh)
//   tools/<crate>-<version>/bin/<binary>     cargo install --root
//   tools/<crate>-<version>/wrh-install.json what was installed, how long it took, lock changes
//   tools/<crate>-<version>-src-<hash>/      the same, built from a local source tree (a crate
//                                            whose Cargo.lock takes worker or wasm-bindgen from a path)
//   tools/src/<crate>-<version>/             a copy of the crate source, only when its lockfile
//                                            pins a crate this registry lacks (see installTool)
//   toolchain-shims/                         the wrappers, rewritten when their content changes
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { hashStrings, hashTree } from "./source-hash.ts";
import { type Toolchain, ToolchainError, WASM_TARGET } from "./toolchain.ts";
import { duration } from "../duration.ts";

/** The worker-build release the real builds use (it must match the `worker` crate's 0.8 line). */
export const WORKER_BUILD_VERSION = "0.8.7";

export function wrhCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "wrh");
}

export function toolRoot(crate: string, version: string): string {
  return join(wrhCacheDir(), "tools", `${crate}-${version}`);
}

export interface InstalledTool {
  crate: string;
  version: string;
  /** Absolute path of the binary. */
  bin: string;
  /** True when this call compiled it; false when the cache already had it. */
  installed: boolean;
  /** The local source tree it was built from, instead of crates.io's release. */
  fromSource?: string;
  /** Lockfile entries changed because the registry reachable here lacks the pinned version. */
  lockAdjustments: string[];
}

interface InstallRecord {
  crate: string;
  version: string;
  lockAdjustments: string[];
  installSeconds: number;
  installedAt: string;
}

function lockedBlock(lockPath: string, name: string): string | undefined {
  const text = readFileSync(lockPath, "utf8");
  return text.split(/^\[\[package\]\]$/m).find((block) => /^name = "([^"]+)"$/m.exec(block)?.[1] === name);
}

/** The version of `name` in a Cargo.lock (its first entry), or undefined. */
export function lockedVersion(lockPath: string, name: string): string | undefined {
  const block = lockedBlock(lockPath, name);
  return block ? /^version = "([^"]+)"$/m.exec(block)?.[1] : undefined;
}

/** True when the lock takes `name` from a local path: a workspace member or a `[patch]` path (no `source`). */
export function lockedFromPath(lockPath: string, name: string): boolean {
  const block = lockedBlock(lockPath, name);
  return block !== undefined && !/^source = /m.test(block);
}

function output(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], env });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Every `name` on PATH, in PATH order (directories in `skipDirs` left out). */
function allOnPath(name: string, skipDirs: readonly string[] = []): string[] {
  return (process.env.PATH ?? "").split(delimiter)
    .filter((dir) => dir && !skipDirs.includes(dir))
    .map((dir) => join(dir, name))
    .filter((path) => existsSync(path));
}

const HOST_CARGO_HINT =
  "a host Rust toolchain is needed to `cargo install` worker-build and wasm-bindgen-cli: install rustup's stable " +
  "toolchain, or as root on Debian 12: `apt-get install -y cargo-web rustc-web`";

/**
 * A cargo that builds for the host (any: `cargo install` compiles host tools): the first on PATH
 * that runs, then Debian's. A rustup proxy with no toolchain installed does not run.
 */
export function hostCargo(): string {
  const cargo = [...allOnPath("cargo", [shimDir()]), "/usr/bin/cargo"].find((path) => existsSync(path) && output(path, ["--version"]) !== undefined);
  if (!cargo) throw new ToolchainError(HOST_CARGO_HINT);
  return cargo;
}

function canInstallDebianPackages(): boolean {
  return process.getuid?.() === 0 && existsSync("/usr/bin/apt-get") && existsSync("/etc/debian_version");
}

/** worker-build links OpenSSL (native-tls); both tools' build scripts need pkg-config. */
export function ensureHostBuildDeps(log: (line: string) => void): void {
  const hasPkgConfig = output("pkg-config", ["--version"]) !== undefined;
  const hasOpenssl = hasPkgConfig && spawnSync("pkg-config", ["--exists", "openssl"]).status === 0;
  if (hasPkgConfig && hasOpenssl) return;
  const hint = "installing worker-build needs OpenSSL headers and pkg-config: as root on Debian 12, " +
    "`apt-get install -y libssl-dev pkg-config` (elsewhere, your system's OpenSSL development package)";
  if (!canInstallDebianPackages()) throw new ToolchainError(hint);
  log("installing Debian packages libssl-dev pkg-config with apt-get…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "--no-install-recommends", "libssl-dev", "pkg-config"]]) {
    const result = spawnSync("apt-get", args, { stdio: ["ignore", "inherit", "inherit"], env });
    if (result.status !== 0) throw new ToolchainError(`\`apt-get ${args.join(" ")}\` failed; ${hint}`);
  }
}

/** Runs a command with its output streamed to stderr; resolves to the exit code and the output's tail. */
function runStreaming(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; tail: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const keep = (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString("utf8")).slice(-64 * 1024);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, tail }));
  });
}


function cargoHome(): string {
  return process.env.CARGO_HOME || join(homedir(), ".cargo");
}

/** The unpacked registry source of `<crate>-<version>` that a `cargo install` just fetched. */
function registrySource(crate: string, version: string): string | undefined {
  const src = join(cargoHome(), "registry", "src");
  if (!existsSync(src)) return undefined;
  for (const registry of readdirSync(src)) {
    const dir = join(src, registry, `${crate}-${version}`);
    if (existsSync(join(dir, "Cargo.toml"))) return dir;
  }
  return undefined;
}

/** `failed to select a version for the requirement `NAME = "…"` (locked to X)`: the registry lacks NAME X. */
export function missingLockedCrate(text: string): { name: string; version: string } | undefined {
  const match = /failed to select a version for the requirement `([A-Za-z0-9_-]+) = [^`]*` \(locked to ([^)\s]+)\)/.exec(text);
  return match ? { name: match[1]!, version: match[2]! } : undefined;
}

export interface ToolSpec {
  crate: string;
  version: string;
  bin: string;
  /** A local source tree to build instead of crates.io's release (cached per content hash). */
  path?: string;
  /** What a cold install costs, for the progress line. */
  coldHint: string;
}

/**
 * Installs `spec` with `cargo install --locked --root <cache>` unless the cache has it. When the
 * crate's own lockfile pins a dependency version that the registry reachable here does not
 * have (a registry snapshot older than the release), it installs from a copy of the crate
 * source with only that entry moved to the newest compatible version (`cargo update -p`), and
 * records the change; every other pin stays as released.
 */
export async function installTool(spec: ToolSpec, log: (line: string) => void): Promise<InstalledTool> {
  const root = spec.path
    ? `${toolRoot(spec.crate, spec.version)}-src-${hashTree(spec.path, new Set(["target", ".git", "node_modules"])).slice(0, 12)}`
    : toolRoot(spec.crate, spec.version);
  const bin = join(root, "bin", spec.bin);
  const recordPath = join(root, "wrh-install.json");
  const readRecord = (): InstallRecord | undefined => {
    try {
      return JSON.parse(readFileSync(recordPath, "utf8")) as InstallRecord;
    } catch {
      return undefined;
    }
  };
  const reported = existsSync(bin) ? output(bin, ["--version"]) : undefined;
  if (reported?.split(/\s+/).includes(spec.version)) {
    return { crate: spec.crate, version: spec.version, bin, installed: false, lockAdjustments: readRecord()?.lockAdjustments ?? [], ...(spec.path ? { fromSource: spec.path } : {}) };
  }

  const cargo = hostCargo();
  ensureHostBuildDeps(log);
  const from = spec.path ? `its source in ${spec.path}` : "crates.io";
  log(`installing ${spec.crate} ${spec.version} from ${from} with \`cargo install --locked\` into ${root} (${spec.coldHint})…`);
  const started = performance.now();
  // The shims are for worker-build's children only: the install builds for the host, with the
  // rustc beside its cargo (a rustup proxy first on PATH may have no toolchain behind it).
  const rustc = join(dirname(cargo), "rustc");
  // One target folder for every install: worker-build and wasm-bindgen-cli, and their versions,
  // share most of their dependencies, which then compile once (measured: installs of further
  // versions in 3-8 minutes instead of 14-20).
  const env = {
    ...process.env,
    CARGO_TARGET_DIR: join(wrhCacheDir(), "tools", "shared-target"),
    ...(existsSync(rustc) && !process.env.RUSTC ? { RUSTC: rustc } : {}),
  };
  const adjustments: string[] = [];
  const baseArgs = ["install", "--locked", "--root", root, "--force"];
  let result = await runStreaming(cargo, [...baseArgs, ...(spec.path ? ["--path", spec.path] : [spec.crate, "--version", spec.version])], { env });
  let copy: string | undefined;
  for (let attempt = 0; result.code !== 0 && attempt < 8; attempt++) {
    const missing = missingLockedCrate(result.tail);
    if (!missing || spec.path) break;
    if (!copy) {
      const source = registrySource(spec.crate, spec.version);
      if (!source) break;
      copy = join(wrhCacheDir(), "tools", "src", `${spec.crate}-${spec.version}`);
      rmSync(copy, { recursive: true, force: true });
      mkdirSync(copy, { recursive: true });
      cpSync(source, copy, { recursive: true });
    }
    log(`${spec.crate} ${spec.version}'s Cargo.lock pins ${missing.name} ${missing.version}, which this crates.io does not have; ` +
      `moving only that entry to the newest compatible version and retrying…`);
    const update = spawnSync(cargo, ["update", "-p", `${missing.name}@${missing.version}`], { cwd: copy, env, encoding: "utf8" });
    process.stderr.write(update.stderr ?? "");
    if (update.status !== 0) break;
    const now = lockedVersion(join(copy, "Cargo.lock"), missing.name);
    adjustments.push(`${missing.name} ${missing.version} -> ${now ?? "?"}`);
    result = await runStreaming(cargo, [...baseArgs, "--path", copy], { env });
  }
  if (result.code !== 0) {
    throw new ToolchainError(
      `\`cargo install ${spec.path ? `--path ${spec.path}` : `${spec.crate} --version ${spec.version}`} --locked\` failed (exit ${result.code}); its errors are above. ` +
      `It needs crates.io, a host Rust toolchain (${cargo}), pkg-config and OpenSSL headers (Debian: libssl-dev)`,
    );
  }
  const reportedAfter = output(bin, ["--version"]);
  if (!reportedAfter?.split(/\s+/).includes(spec.version)) {
    throw new ToolchainError(`${bin} reports version "${reportedAfter ?? "nothing"}" after installing ${spec.crate} ${spec.version}`);
  }
  const elapsed = performance.now() - started;
  const record: InstallRecord = {
    crate: spec.crate, version: spec.version, lockAdjustments: adjustments,
    installSeconds: Math.round(elapsed / 100) / 10, installedAt: new Date().toISOString(),
  };
  writeFileSync(recordPath, JSON.stringify(record, null, 2) + "\n");
  log(`installed ${spec.crate} ${spec.version} in ${duration(elapsed)}${adjustments.length ? ` (lockfile changes: ${adjustments.join(", ")})` : ""}`);
  return { crate: spec.crate, version: spec.version, bin, installed: true, lockAdjustments: adjustments, ...(spec.path ? { fromSource: spec.path } : {}) };
}

export interface RealTools {
  workerBuild: InstalledTool;
  wasmBindgen: InstalledTool;
}

/** Local source trees to build the tools from, for a crate that takes `worker` or wasm-bindgen from a path. */
export interface ToolSources {
  workerBuild?: string;
  wasmBindgenCli?: string;
}

/**
 * worker-build at `workerBuildVersion` and the wasm-bindgen CLI matching `lockPath`'s
 * wasm-bindgen, installed or cached; each from its local source tree where `sources` names one.
 */
export async function ensureRealTools(lockPath: string, workerBuildVersion: string, log: (line: string) => void, sources: ToolSources = {}): Promise<RealTools> {
  const bindgenVersion = lockedVersion(lockPath, "wasm-bindgen");
  if (!bindgenVersion) throw new ToolchainError(`${lockPath} has no wasm-bindgen entry; the real canary must depend on wasm-bindgen`);
  const workerBuild = await installTool({
    crate: "worker-build", version: workerBuildVersion, bin: "worker-build", path: sources.workerBuild,
    coldHint: "a cold install compiles ~270 crates: several minutes on 2 cores",
  }, log);
  const wasmBindgen = await installTool({
    crate: "wasm-bindgen-cli", version: bindgenVersion, bin: "wasm-bindgen", path: sources.wasmBindgenCli,
    coldHint: "a cold install compiles ~180 crates: several minutes on 2 cores",
  }, log);
  return { workerBuild, wasmBindgen };
}

// ---------------------------------------------------------------------------------------------
// Toolchain shims

export function shimDir(): string {
  return join(wrhCacheDir(), "toolchain-shims");
}

export interface ToolchainShims {
  /** Put first on PATH. */
  dir: string;
  /** A refusing wasm-opt, for WASM_OPT_BIN: worker-build must never download binaryen. */
  wasmOpt: string;
  /** SHA-256 over every shim's content: part of a real build's inputs. */
  hash: string;
}

function sh(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

const HEADER = "#!/bin/sh\n# Generated by wrh (harness/build/real-tools.ts); rewritten when it changes. Do not edit.\n";

/** The shim scripts for `toolchain`, by file name. */
export function shimScripts(toolchain: Toolchain, dir = shimDir()): Record<string, string> {
  const libdir = join(dir, "wasm32-target-libdir");
  const library = join(output(toolchain.rustc, ["--print", "sysroot"]) ?? "/usr", "lib/rustlib/src/rust/library");
  const linker = toolchain.linker ? `export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=${sh(toolchain.linker)}\n` : "";
  return {
    // `cargo +nightly …` → the project's cargo with the unstable features it needs. A wasm32
    // build without -Zbuild-std (worker-build's default and --no-panic-recovery modes) gets
    // std built from source with the abort runtime, since no prebuilt wasm32 std exists here.
    cargo: `${HEADER}# worker-build runs \`cargo +nightly build … -Z build-std=std,panic_unwind\` for --panic-unwind and plain
# \`cargo build --lib --release --target ${WASM_TARGET}\` otherwise.
if [ "$1" = "+nightly" ]; then shift; fi
export RUSTC=${sh(toolchain.rustc)}
export RUSTC_BOOTSTRAP=1
${linker}if [ "$1" = "build" ]; then
  wasm=0; std=0
  for a in "$@"; do
    case "$a" in
      ${WASM_TARGET}|--target=${WASM_TARGET}) wasm=1 ;;
      build-std*|-Zbuild-std*) std=1 ;;
    esac
  done
  if [ "$wasm" = 1 ] && [ "$std" = 0 ]; then set -- "$@" -Zbuild-std=std,panic_abort; fi
fi
exec ${sh(toolchain.cargo)} "$@"
`,
    // `rustc +nightly …` → the project's rustc. std is built from source, so the wasm32
    // target-libdir that worker-build checks for need not exist: answer an existing empty one.
    rustc: `${HEADER}if [ "$1" = "+nightly" ]; then shift; fi
wasm=0; libdir=0
for a in "$@"; do
  case "$a" in
    ${WASM_TARGET}|--target=${WASM_TARGET}) wasm=1 ;;
    target-libdir|--print=target-libdir) libdir=1 ;;
  esac
done
if [ "$wasm" = 1 ] && [ "$libdir" = 1 ]; then
  real=$(${sh(toolchain.rustc)} "$@") || exit $?
  if [ -d "$real" ]; then printf '%s\\n' "$real"; else mkdir -p ${sh(libdir)} && printf '%s\\n' ${sh(libdir)}; fi
  exit 0
fi
exec ${sh(toolchain.rustc)} "$@"
`,
    // worker-build asks rustup whether nightly has rust-src; the answer is whether the
    // toolchain ships std's source. Anything else would reach rustup's servers: refuse.
    rustup: `${HEADER}if [ "$1" = "component" ] && [ "$2" = "list" ]; then
  if [ -f ${sh(join(library, "std/Cargo.toml"))} ]; then echo "rust-src (installed)"; else echo "rust-src"; fi
  exit 0
fi
echo "rustup $*: not available (wrh builds offline with ${toolchain.version}; rustup's servers are not used)" >&2
exit 1
`,
    "wasm-opt": `${HEADER}echo "wasm-opt: not available offline (wrh builds with worker-build --no-opt; binaryen is never downloaded)" >&2
exit 1
`,
  };
}

/** Writes the shims (only those whose content changed) and returns where they are. */
export function ensureToolchainShims(toolchain: Toolchain): ToolchainShims {
  const dir = shimDir();
  mkdirSync(dir, { recursive: true });
  const scripts = shimScripts(toolchain, dir);
  for (const [name, text] of Object.entries(scripts)) {
    const path = join(dir, name);
    const current = existsSync(path) ? readFileSync(path, "utf8") : undefined;
    if (current !== text) writeFileSync(path, text);
    chmodSync(path, 0o755);
  }
  const names = Object.keys(scripts).sort();
  return { dir, wasmOpt: join(dir, "wasm-opt"), hash: hashStrings(names.flatMap((n) => [n, scripts[n]!])) };
}
