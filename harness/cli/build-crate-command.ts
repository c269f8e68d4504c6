// `wrh build --crate PATH`: a user's workers-rs crate built by the real worker-build with the
// same offline toolchain, tool installs and wrappers as the harness's own real canary
// (harness/build/real-build.ts), so a user without rustup's nightly or GitHub access gets the
// build `wrh run --worker` judges. Unlike `wrh build` it needs no clone: everything it reads is
// the user's crate, the per-user tool cache and the package's own esbuild.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { BuildError, DEFAULT_MAX_MEMORY_BYTES, validateMaxMemory } from "../build/build.ts";
import { MEMORY_CAP, REAL_ENTRY_FILE, findProjectWasmOpt, projectEsbuild, spawnWorkerBuild, workerBuildEnv } from "../build/real-build.ts";
import { type ToolSources, ensureRealTools, ensureToolchainShims, lockedFromPath, lockedVersion } from "../build/real-tools.ts";
import { ensureToolchain, WASM_TARGET } from "../build/toolchain.ts";
import { UsageError } from "./usage.ts";

/** worker-build's default output folder, relative to the crate; `wrh run --worker` takes it. */
const OUT_DIR = "build";
/** What `wrh run --worker` reads the worker's bindings and variables from, in the order looked for. */
const WRANGLER_CONFIGS = ["wrangler.toml", "wrangler.json", "wrangler.jsonc"];

export interface CrateBuildRequest {
  crate: string;
  panicUnwind: boolean;
  dev: boolean;
  noOpt: boolean;
  maxMemoryBytes?: number;
  /** Tools built from these trees instead of the lock's (a patched worker-build, say); merged over what the lock implies. */
  toolSources?: ToolSources;
  /** cargo's target folder; unset, the caller's CARGO_TARGET_DIR or cargo's default. */
  targetDir?: string;
}

/** What the input checks found: enough to build, before any toolchain or tool is looked for. */
export interface CrateFacts {
  crateDir: string;
  name: string;
  lockPath: string;
  workerVersion: string;
  wasmBindgenVersion: string;
  /** The tools' own source trees, when the lock takes worker or wasm-bindgen from a path (a checkout of workers-rs). */
  toolSources: ToolSources;
}

/** The TOML section headers and key lines of a Cargo.toml, comments dropped (enough to find a dependency). */
function tomlLines(text: string): { section: string; line: string }[] {
  const out: { section: string; line: string }[] = [];
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (!line || line.startsWith("#")) continue;
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) section = header[1]!.replaceAll(/\s/g, "");
    else out.push({ section, line });
  }
  return out;
}

/**
 * Whether the manifest depends on the `worker` crate: `worker = …`, `worker.workspace = true`,
 * `[dependencies.worker]`, or a renamed `x = { package = "worker" }`, for every target. A
 * dev-dependency does not count: worker-build builds the library.
 */
function dependsOnWorker(lines: { section: string; line: string }[]): boolean {
  return lines.some(({ section, line }) => {
    if (/^(target\.[^]+\.)?dependencies\.(worker|"worker")$/.test(section)) return true;
    if (!/^(target\.[^]+\.)?dependencies$/.test(section)) return false;
    return /^("?worker"?)\s*(=|\.)/.test(line) || /\bpackage\s*=\s*"worker"/.test(line);
  });
}

/** The nearest Cargo.lock: the crate's own, else its workspace's in a folder above. */
function findLock(crateDir: string): string | undefined {
  for (let dir = crateDir; ; dir = dirname(dir)) {
    const lock = join(dir, "Cargo.lock");
    if (existsSync(lock)) return lock;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The `[package] name` of the Cargo.toml in `dir`, if there is one. */
function packageName(dir: string): string | undefined {
  const manifest = join(dir, "Cargo.toml");
  if (!existsSync(manifest)) return undefined;
  return tomlLines(readFileSync(manifest, "utf8")).map(({ section, line }) => section === "package" ? /^name\s*=\s*"([^"]+)"/.exec(line)?.[1] : undefined).find(Boolean);
}

/**
 * A crate inside a workers-rs checkout builds against that checkout's `worker` (a path member)
 * and often its wasm-bindgen (a `[patch.crates-io]` path to a submodule): the tools that match
 * are then the checkout's own worker-build and that wasm-bindgen's CLI, not crates.io releases.
 */
function toolSourcesFor(given: string, lockPath: string, wasmBindgenVersion: string): ToolSources {
  const root = dirname(lockPath);
  const sources: ToolSources = {};
  if (lockedFromPath(lockPath, "worker") && packageName(join(root, "worker-build")) === "worker-build") {
    sources.workerBuild = join(root, "worker-build");
  }
  if (lockedFromPath(lockPath, "wasm-bindgen")) {
    const rootLines = existsSync(join(root, "Cargo.toml")) ? tomlLines(readFileSync(join(root, "Cargo.toml"), "utf8")) : [];
    const patched = rootLines.find(({ section, line }) => section.startsWith("patch.") && /^wasm-bindgen\s*=/.test(line));
    const path = patched && /\bpath\s*=\s*["']([^"']+)["']/.exec(patched.line)?.[1];
    if (!path) {
      throw new UsageError(`--crate ${given}: ${shown(lockPath)} takes wasm-bindgen from a local path that no [patch] in ${shown(join(root, "Cargo.toml"))} names; build it where cargo resolves wasm-bindgen from crates.io or a [patch] path`);
    }
    const dir = resolve(root, path);
    if (packageName(dir) !== "wasm-bindgen") {
      throw new UsageError(
        `--crate ${given}: ${shown(join(root, "Cargo.toml"))} patches wasm-bindgen to ${path}, which holds no wasm-bindgen crate (a git submodule not checked out?): ` +
        `run \`git submodule update --init ${path}\` there, or drop the [patch.crates-io] wasm-bindgen entries to build with crates.io's ${wasmBindgenVersion}`,
      );
    }
    sources.wasmBindgenCli = join(dir, "crates", "cli");
  }
  return sources;
}

/** The checks that need nothing installed: each failure is one line, exit 2. */
export function inspectCrate(given: string): CrateFacts {
  const crateDir = resolve(given);
  if (!existsSync(crateDir)) throw new UsageError(`--crate ${given}: no such directory`);
  if (!statSync(crateDir).isDirectory()) throw new UsageError(`--crate ${given}: not a directory; give the crate's folder (the one with its Cargo.toml)`);
  const manifestPath = join(crateDir, "Cargo.toml");
  if (!existsSync(manifestPath)) throw new UsageError(`--crate ${given}: no Cargo.toml there; give the folder of a workers-rs crate`);
  const lines = tomlLines(readFileSync(manifestPath, "utf8"));
  if (!lines.some(({ section }) => section === "package")) {
    throw new UsageError(`--crate ${given}: its Cargo.toml has no [package] (a workspace root?); give the folder of the worker crate itself`);
  }
  const name = lines.map(({ section, line }) => section === "package" ? /^name\s*=\s*"([^"]+)"/.exec(line)?.[1] : undefined).find(Boolean) ?? given;
  if (!dependsOnWorker(lines)) {
    throw new UsageError(`--crate ${given}: ${name} does not depend on the \`worker\` crate; wrh build --crate builds workers-rs crates with worker-build`);
  }
  const lockPath = findLock(crateDir);
  if (!lockPath) {
    throw new UsageError(`--crate ${given}: no Cargo.lock in it or any folder above; run \`cargo generate-lockfile\` there first (the tool versions come from the lock)`);
  }
  const workerVersion = lockedVersion(lockPath, "worker");
  const wasmBindgenVersion = lockedVersion(lockPath, "wasm-bindgen");
  for (const [crate, version] of [["worker", workerVersion], ["wasm-bindgen", wasmBindgenVersion]] as const) {
    if (!version) throw new UsageError(`--crate ${given}: ${lockPath} locks no ${crate}; run \`cargo generate-lockfile\` in the crate to bring the lock up to date`);
  }
  const toolSources = toolSourcesFor(given, lockPath, wasmBindgenVersion!);
  return { crateDir, name, lockPath, workerVersion: workerVersion!, wasmBindgenVersion: wasmBindgenVersion!, toolSources };
}

/** The string items of a TOML value `rustflags = [...]` or `rustflags = "a b"` in `section` of `text`. */
function rustflagsIn(text: string, section: string): string[] | undefined {
  const lines = text.split("\n");
  let current = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/^\s+/, "");
    const header = /^\[([^\]]+)\]\s*(#.*)?$/.exec(line);
    if (header) current = header[1]!.replaceAll(/\s/g, "").replaceAll(/["']/g, "");
    if (current !== section || !/^rustflags\s*=/.test(line)) continue;
    let value = line.replace(/^rustflags\s*=\s*/, "");
    // An array may span lines up to its closing bracket.
    while (value.startsWith("[") && !/\]\s*(#.*)?$/.test(value) && i + 1 < lines.length) value += ` ${lines[++i]}`;
    const strings = [...value.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map((m) => m[2] ?? JSON.parse(`"${m[1]}"`) as string);
    return value.startsWith("[") ? strings : (strings[0] ?? "").split(/\s+/).filter(Boolean);
  }
  return undefined;
}

/**
 * The rustflags cargo would take from the crate's config files (`.cargo/config.toml` from the
 * crate up, then cargo's home): `[target.wasm32-unknown-unknown]`'s, else `[build]`'s. Cargo reads
 * none of them while RUSTFLAGS is set, and the build sets it (the memory cap), so they are put
 * in front of it: a crate that needs them (getrandom's `wasm_js` backend, as workers-rs's own
 * config sets) builds as it does for its user.
 */
export function configRustflags(crateDir: string): { flags: string[]; from: string[]; skipped: string[] } {
  const configs: string[] = [];
  for (let dir = crateDir; ; dir = dirname(dir)) {
    for (const name of ["config.toml", "config"]) {
      const path = join(dir, ".cargo", name);
      if (existsSync(path) && statSync(path).isFile()) configs.push(path);
    }
    if (dirname(dir) === dir) break;
  }
  const home = join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "config.toml");
  if (existsSync(home) && !configs.includes(home)) configs.push(home);
  const read = (section: string) => configs.map((path) => ({ path, flags: rustflagsIn(readFileSync(path, "utf8"), section) })).filter((c) => c.flags);
  const target = read(`target.${WASM_TARGET}`);
  const chosen = target.length ? target : read("build");
  const skipped = configs.filter((path) => /^\s*\[target\.['"]?cfg\(/m.test(readFileSync(path, "utf8")));
  return { flags: chosen.flatMap((c) => c.flags!), from: chosen.map((c) => c.path), skipped };
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Builds the crate; resolves to the exit code. Progress goes to stderr, the path to run on stdout. */
export async function buildCrateCommand(request: CrateBuildRequest, say: (line: string) => void): Promise<number> {
  const { target } = await buildCrate(request, say);
  say(`judge it with: npx wrh run --worker ${target}`);
  process.stdout.write(`${target}\n`);
  return 0;
}

/** Builds a workers-rs crate as `wrh build --crate` does; resolves to worker-build's output folder and what `wrh run --worker` takes. */
export async function buildCrate(request: CrateBuildRequest, say: (line: string) => void): Promise<{ outDir: string; target: string }> {
  const found = inspectCrate(request.crate);
  const facts = { ...found, toolSources: { ...found.toolSources, ...request.toolSources } };
  const maxMemoryBytes = validateMaxMemory(request.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES);
  say(`crate ${facts.name} in ${shown(facts.crateDir)}; ${shown(facts.lockPath)} locks worker ${facts.workerVersion}, wasm-bindgen ${facts.wasmBindgenVersion}`);
  const toolchain = ensureToolchain(say);
  say(`Rust toolchain: ${toolchain.version} (${toolchain.kind}, ${toolchain.rustc})`);
  // worker-build is released with the `worker` crate, one version for both: the build the user
  // ships pairs them the same way.
  const tools = await ensureRealTools(facts.lockPath, facts.workerVersion, say, facts.toolSources);
  for (const [tool, source] of [[tools.workerBuild, facts.toolSources.workerBuild], [tools.wasmBindgen, facts.toolSources.wasmBindgenCli]] as const) {
    const from = source ? `built from ${shown(source)}` : "from crates.io";
    say(`${tool.crate} ${tool.version} (${from}): ${tool.installed ? "installed" : "cached"} at ${tool.bin}`);
  }
  const shims = ensureToolchainShims(toolchain);

  // Looked for with --dev too: worker-build's dev profile skips wasm-opt unless the crate's
  // [package.metadata.wasm-pack.profile.dev] turns it on, and then it must not be downloaded.
  let wasmOptBin = shims.wasmOpt;
  let noOpt = request.noOpt;
  if (request.noOpt) say("wasm-opt: skipped (--no-opt)");
  else {
    const wasmOpt = findProjectWasmOpt();
    if (wasmOpt) {
      wasmOptBin = wasmOpt.bin;
      say(`wasm-opt: npm's binaryen ${wasmOpt.version} (${wasmOpt.bin})`);
    } else {
      noOpt = true;
      say("wasm-opt: npm's binaryen does not resolve here, so building with --no-opt (`npm install --save-dev binaryen` to optimise as worker-build ships)");
    }
  }

  // The user's own RUSTFLAGS stay, as worker-build would keep them; the cap makes an OOM fault
  // a real allocation failure, since local workerd enforces no memory limit.
  const userFlags = (process.env.RUSTFLAGS ?? "").split(/\s+/).filter(Boolean);
  // RUSTFLAGS given replaces the config's rustflags for cargo, as it would for the user too.
  const fromConfig = userFlags.length ? { flags: [], from: [], skipped: [] } : configRustflags(facts.crateDir);
  if (fromConfig.flags.length) say(`rustflags from ${fromConfig.from.map(shown).join(", ")}: ${fromConfig.flags.join(" ")}`);
  for (const path of fromConfig.skipped) say(`note: ${shown(path)} has [target.'cfg(…)'] rustflags, which this build does not evaluate; give them in RUSTFLAGS if the crate needs them`);
  const rustflags = [...userFlags, ...fromConfig.flags, MEMORY_CAP(maxMemoryBytes)];
  const args = [request.dev ? "--dev" : "--release", ...(request.panicUnwind ? ["--panic-unwind"] : []), ...(noOpt ? ["--no-opt"] : [])];
  const env = workerBuildEnv({
    shimsDir: shims.dir,
    wasmBindgenBin: tools.wasmBindgen.bin,
    esbuildBin: projectEsbuild(),
    wasmOptBin,
    rustflags,
    targetDir: request.targetDir,
  });
  const targetDir = env.CARGO_TARGET_DIR ? `; CARGO_TARGET_DIR=${env.CARGO_TARGET_DIR}` : "";
  say(`running: worker-build ${args.join(" ")} (in ${shown(facts.crateDir)}; RUSTFLAGS="${env.RUSTFLAGS}"${targetDir})`);
  const started = performance.now();
  await spawnWorkerBuild(tools.workerBuild.bin, args, { cwd: facts.crateDir, env, label: facts.name });

  const outDir = join(facts.crateDir, OUT_DIR);
  const wasm = existsSync(outDir) ? readdirSync(outDir, { recursive: true, encoding: "utf8" }).find((file) => file.endsWith(".wasm")) : undefined;
  if (!existsSync(join(outDir, REAL_ENTRY_FILE)) || !wasm) {
    throw new BuildError(`worker-build finished but ${shown(outDir)} has no ${REAL_ENTRY_FILE} and .wasm`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  say(`built ${shown(join(outDir, REAL_ENTRY_FILE))} + ${wasm} (${kib(statSync(join(outDir, wasm)).size)}) in ${seconds} s`);
  const config = WRANGLER_CONFIGS.map((name) => join(facts.crateDir, name)).find((path) => existsSync(path));
  return { outDir, target: shown(config ?? outDir) };
}
