// Patched release points: a point's crates with a fix applied, built as the release was. Each
// patch is a unified diff against one crate's published source (paths relative to the crate,
// `a/` and `b/` prefixes as `git diff` writes them). The crate's source comes from crates.io's
// download of exactly the version the point locks; the patched copy goes into the point's crate
// through cargo's `[patch.crates-io]`, or, for the tools (worker-build, the wasm-bindgen CLI's
// glue generator), is built into a tool of its own, cached per content hash.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { BuildError } from "../build/build.ts";
import { hostCargo, lockedVersion, missingLockedCrate, wrhCacheDir } from "../build/real-tools.ts";

/** The crates a patch may change, and how the fix reaches the build. */
export const PATCHABLE = {
  worker: "library",
  "worker-macros": "library",
  "worker-sys": "library",
  "js-sys": "library",
  "wasm-bindgen": "library",
  "wasm-bindgen-macro-support": "library",
  "wasm-bindgen-futures": "library",
  "worker-build": "tool",
  "wasm-bindgen-cli-support": "tool",
} as const;
export type PatchableCrate = keyof typeof PATCHABLE;

/** One fix of a point: a diff against one crate. */
export interface PointPatch {
  crate: PatchableCrate;
  /** The diff, relative to the points file's folder. */
  file: string;
}

/**
 * The published source of `name` `version`: cargo's own unpacked copy when a build has fetched
 * it, otherwise crates.io's download of it, unpacked once into the harness's cache.
 */
export async function crateSource(name: string, version: string): Promise<string> {
  const registry = join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "registry", "src");
  for (const index of existsSync(registry) ? readdirSync(registry) : []) {
    const dir = join(registry, index, `${name}-${version}`);
    if (existsSync(join(dir, "Cargo.toml"))) return dir;
  }
  const cached = join(wrhCacheDir(), "crates", `${name}-${version}`);
  if (existsSync(join(cached, "Cargo.toml"))) return cached;
  const url = `https://static.crates.io/crates/${name}/${name}-${version}.crate`;
  const response = await fetch(url, { signal: AbortSignal.timeout(120_000) }).catch((error: Error) => {
    throw new BuildError(`downloading ${name} ${version} from crates.io (${url}) failed: ${error.message}`);
  });
  if (!response.ok) throw new BuildError(`downloading ${name} ${version} from crates.io (${url}) answered ${response.status}`);
  const parent = join(wrhCacheDir(), "crates");
  const partial = join(parent, `.${name}-${version}.partial`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const archive = join(partial, "crate.tar.gz");
  writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
  const untar = spawnSync("tar", ["-xzf", archive, "-C", partial], { encoding: "utf8" });
  if (untar.status !== 0) throw new BuildError(`unpacking ${name} ${version} failed: ${untar.stderr.trim()}`);
  // A half-unpacked crate is never taken for a whole one: it appears under its name only complete.
  rmSync(cached, { recursive: true, force: true });
  renameSync(join(partial, `${name}-${version}`), cached);
  rmSync(partial, { recursive: true, force: true });
  return cached;
}

/** Copies `source` to `dest` and applies `patchFile` there; a diff that does not apply is a BuildError naming it and `what` (the point). */
export function patchedCopy(source: string, dest: string, patchFile: string, what: string): void {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  cpSync(source, dest, { recursive: true, filter: (path) => !path.endsWith(".cargo-ok") });
  if (!existsSync(patchFile)) throw new BuildError(`${what}: patch ${patchFile} does not exist`);
  // git apply outside a repository is a strict `patch -p1`: it refuses fuzz and partial
  // application. The ceiling keeps it from finding a repository the copy happens to lie in.
  const applied = spawnSync("git", ["apply", "--whitespace=nowarn", patchFile], {
    cwd: dest, encoding: "utf8", env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(dest) },
  });
  if (applied.status !== 0) {
    const shown = relative(process.cwd(), patchFile).startsWith("..") ? patchFile : relative(process.cwd(), patchFile);
    throw new BuildError(`${what}: ${shown} does not apply to ${basename(source)}: ${applied.stderr.trim().split("\n")[0]}`);
  }
}

/**
 * Makes the crate in `dir` a workspace of its own: a tool copy built with `cargo install --path`
 * may lie under another workspace (this project's workers/), which cargo would otherwise refuse.
 */
export function ownWorkspace(dir: string): void {
  const manifest = join(dir, "Cargo.toml");
  const text = readFileSync(manifest, "utf8");
  if (!/^\[workspace\]/m.test(text)) writeFileSync(manifest, `${text}\n[workspace]\n`);
}

/** The `[patch.crates-io]` section that puts the patched library copies into a crate's build. */
export function cargoPatchSection(libraries: Record<string, string>): string {
  const lines = Object.entries(libraries).map(([name, path]) => `${name} = { path = ${JSON.stringify(path)} }`);
  return lines.length ? `\n[patch.crates-io]\n${lines.join("\n")}\n` : "";
}

/**
 * A copy of the wasm-bindgen CLI `cliVersion` that builds against the patched glue generator at
 * `cliSupport`: its manifest gets a `[patch.crates-io]` (a published crate is a workspace of
 * its own, so the section applies), its lock stays as released.
 */
export async function cliWithPatchedSupport(cliVersion: string, cliSupport: string, dest: string): Promise<string> {
  rmSync(dest, { recursive: true, force: true });
  cpSync(await crateSource("wasm-bindgen-cli", cliVersion), dest, { recursive: true, filter: (path) => !path.endsWith(".cargo-ok") });
  ownWorkspace(dest);
  const manifest = join(dest, "Cargo.toml");
  writeFileSync(manifest, readFileSync(manifest, "utf8") + cargoPatchSection({ "wasm-bindgen-cli-support": cliSupport }));
  // Only the patched entry of the released lock moves (to the path), so `cargo install --locked`
  // takes it; and, as for a plain install, a pin this crates.io lacks moves to the newest
  // compatible version.
  const cargo = hostCargo();
  for (let attempt = 0; ; attempt++) {
    const relock = spawnSync(cargo, ["metadata", "--format-version", "1"], { cwd: dest, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
    if (relock.status === 0) return dest;
    const missing = missingLockedCrate(relock.stderr);
    if (!missing || attempt === 8) {
      throw new BuildError(`wasm-bindgen-cli ${cliVersion} with the patched glue generator: cargo cannot resolve it: ${relock.stderr.trim().split("\n")[0]}`);
    }
    spawnSync(cargo, ["update", "-p", `${missing.name}@${missing.version}`], { cwd: dest, stdio: "ignore" });
  }
}

/** Where a set of patches landed: library copies for `[patch.crates-io]`, tool copies to build from. */
export interface PatchedCopies {
  libraries: Record<string, string>;
  workerBuild?: string;
  wasmBindgenCli?: string;
}

/**
 * Makes the patched copy of each patch under `dir`: a library (at the version `lockPath` locks)
 * in patched/<crate>, worker-build (at `workerBuild`) in tools/worker-build, the glue generator
 * (at `wasmBindgen`) with the CLI built against it in tools/wasm-bindgen-cli. `what` names the
 * point or test in errors and progress.
 */
export async function makePatchedCopies(
  patches: readonly PointPatch[],
  options: { dir: string; lockPath: string; workerBuild: string; wasmBindgen: string; what: string; log: (line: string) => void },
): Promise<PatchedCopies> {
  const { dir, what } = options;
  const copies: PatchedCopies = { libraries: {} };
  for (const patch of patches) {
    const version = patch.crate === "worker-build" ? options.workerBuild
      : patch.crate === "wasm-bindgen-cli-support" ? options.wasmBindgen
      : lockedVersion(options.lockPath, patch.crate);
    const shown = relative(process.cwd(), patch.file) || patch.file;
    if (!version) throw new BuildError(`${what}: ${shown} patches ${patch.crate}, which ${options.lockPath} does not lock`);
    options.log(`${what}: patching ${patch.crate} ${version} with ${shown}`);
    const source = await crateSource(patch.crate, version);
    if (PATCHABLE[patch.crate] === "library") {
      copies.libraries[patch.crate] = join(dir, "patched", patch.crate);
      patchedCopy(source, copies.libraries[patch.crate]!, patch.file, what);
    } else if (patch.crate === "worker-build") {
      copies.workerBuild = join(dir, "tools", "worker-build");
      patchedCopy(source, copies.workerBuild, patch.file, what);
      ownWorkspace(copies.workerBuild);
    } else {
      const support = join(dir, "tools", "wasm-bindgen-cli-support");
      patchedCopy(source, support, patch.file, what);
      copies.wasmBindgenCli = await cliWithPatchedSupport(options.wasmBindgen, support, join(dir, "tools", "wasm-bindgen-cli"));
    }
  }
  return copies;
}

