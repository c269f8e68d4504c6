// Release points: the real canary (workers/real-canary) built against older `worker` and
// wasm-bindgen releases, each with the worker-build of its release and the wasm-bindgen CLI of
// its exact wasm-bindgen. A point's crate is a copy of this checkout's, with its pins rewritten
// and only the workers-rs / wasm-bindgen family moved in its lockfile; its builds go to
// dist/releases/<point>/<mode>/, so the matrix runs them as it runs dist/<mode>/. A patched
// point is a release point with fixes applied to its crates (harness/releases/patches.ts).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { BuildError } from "../build/build.ts";
import { CHECKOUT_SOURCE, REAL_CRATE_DIR, type RealSource } from "../build/real-build.ts";
import { lockedFromPath, lockedVersion, type ToolSources } from "../build/real-tools.ts";
import { hashStrings, hashTree, sha256 } from "../build/source-hash.ts";
import { requireToolchain } from "../build/toolchain.ts";
import { DIST_DIR, WORKERS_DIR } from "../project.ts";
import type { KnownBug } from "../report/releases.ts";
import { cargoPatchSection, makePatchedCopies, PATCHABLE, type PointPatch } from "./patches.ts";

export interface ReleasePoint {
  /** `<worker>+<wasm-bindgen>`, e.g. 0.8.5+0.2.126, then `+<label>` when patched: what --only names. */
  name: string;
  worker: string;
  workerBuild: string;
  wasmBindgen: string;
  /** The esbuild release that point's worker-build would download (its ESBUILD_VERSION). */
  esbuild: string;
  /** Where that worker-build writes when it takes no --out-dir (see RealSource.fixedOutDir). */
  outDir?: string;
  /** Why the point is in the list. */
  why: string;
  /** Names a patched point: `fix-f9` makes 0.8.7+0.2.130+fix-f9. */
  label?: string;
  /** Fixes applied to the point's crates, patch files resolved to absolute paths. */
  patches?: PointPatch[];
  /** The unpatched point this one is compared with (`<worker>+<wasm-bindgen>`), when patched. */
  base?: string;
  /** Local source trees the point builds from instead of crates.io (`wrh releases --source`). */
  sources?: SourceTrees;
}

/** Checkouts of workers-rs and of wasm-bindgen, by the name `--source` gives them. */
export interface SourceTrees {
  worker?: string;
  "wasm-bindgen"?: string;
}
export const SOURCE_NAMES = ["worker", "wasm-bindgen"] as const;

/** A tree's crates that go into the build, by crate name → folder in the tree. */
const TREE_LIBRARIES: Record<keyof SourceTrees, Record<string, string>> = {
  worker: { worker: "worker", "worker-macros": "worker-macros", "worker-sys": "worker-sys" },
  "wasm-bindgen": {
    "wasm-bindgen": ".", "js-sys": "crates/js-sys", "web-sys": "crates/web-sys", "wasm-bindgen-futures": "crates/futures",
    "wasm-bindgen-macro": "crates/macro", "wasm-bindgen-macro-support": "crates/macro-support", "wasm-bindgen-shared": "crates/shared",
    "wasm-bindgen-backend": "crates/backend",
  },
};

/** `[package] version` of the crate in `dir`, or a BuildError naming what the tree lacks. */
function treeCrateVersion(tree: string, folder: string, name: string, option: string): string {
  const manifest = join(tree, folder, "Cargo.toml");
  const text = existsSync(manifest) ? readFileSync(manifest, "utf8") : "";
  const pkg = /^\[package\]([\s\S]*?)(^\[|(?![\s\S]))/m.exec(text)?.[1] ?? "";
  if (/^name\s*=\s*"([^"]+)"/m.exec(pkg)?.[1] !== name) {
    throw new BuildError(`--source ${option}=${tree}: no ${name} crate at ${join(tree, folder)}; give the root of a ${option === "worker" ? "workers-rs" : "wasm-bindgen"} checkout`);
  }
  const version = /^version\s*=\s*"([^"]+)"/m.exec(pkg)?.[1];
  if (!version) throw new BuildError(`--source ${option}=${tree}: ${manifest} gives no literal version`);
  return version;
}

/**
 * The point of local checkouts: the worker family and worker-build from a workers-rs tree,
 * wasm-bindgen (its libraries and CLI) from a wasm-bindgen tree, the rest as `newest` has it. It
 * is compared with `newest`, as a patched point is with its base.
 */
export function sourcePoint(trees: SourceTrees, newest: ReleasePoint): ReleasePoint {
  const worker = trees.worker && resolve(trees.worker);
  const bindgen = trees["wasm-bindgen"] && resolve(trees["wasm-bindgen"]);
  const versions = {
    worker: worker ? treeCrateVersion(worker, "worker", "worker", "worker") : newest.worker,
    workerBuild: worker ? treeCrateVersion(worker, "worker-build", "worker-build", "worker") : newest.workerBuild,
    // A workers-rs tree's own lock says which wasm-bindgen it is built and tested with.
    wasmBindgen: bindgen ? treeCrateVersion(bindgen, ".", "wasm-bindgen", "wasm-bindgen")
      : (worker && existsSync(join(worker, "Cargo.lock")) && lockedVersion(join(worker, "Cargo.lock"), "wasm-bindgen")) || newest.wasmBindgen,
  };
  const from = [worker && `workers-rs ${worker}`, bindgen && `wasm-bindgen ${bindgen}`].filter(Boolean).join(", ");
  return {
    ...versions, esbuild: newest.esbuild, why: `local source: ${from}`, label: "source", base: newest.name,
    name: `${versions.worker}+${versions.wasmBindgen}+source`,
    sources: { ...(worker ? { worker } : {}), ...(bindgen ? { "wasm-bindgen": bindgen } : {}) },
  };
}

export const POINTS_FILE = join(import.meta.dirname, "points.json");
export const KNOWN_BUGS_FILE = join(import.meta.dirname, "known-bugs.json");

/** The known bugs, each with the points, mode and scenario that show it (see KnownBug). */
export function knownBugs(): KnownBug[] {
  const { bugs } = JSON.parse(readFileSync(KNOWN_BUGS_FILE, "utf8")) as { bugs: KnownBug[] };
  const names = new Set(releasePoints().map((p) => p.name));
  for (const bug of bugs) {
    for (const point of [bug.lastAffected, bug.fixedIn]) {
      if (!names.has(point)) throw new BuildError(`${KNOWN_BUGS_FILE}: ${bug.id} names release point ${point}, which ${POINTS_FILE} does not have`);
    }
  }
  return bugs;
}

/**
 * The release points of `file` (the built-in list by default), oldest first; the last is the
 * newest, and a patched point follows its base. A malformed entry is one line naming it.
 */
export function releasePoints(file = POINTS_FILE): ReleasePoint[] {
  let data: { points?: unknown };
  try {
    data = JSON.parse(readFileSync(file, "utf8")) as { points?: unknown };
  } catch (error) {
    throw new BuildError(`${file}: ${existsSync(file) ? `not valid JSON: ${(error as Error).message}` : "no such file"}`);
  }
  if (!Array.isArray(data.points) || !data.points.length) throw new BuildError(`${file}: needs "points": a list of release points`);
  const points = (data.points as Omit<ReleasePoint, "name">[]).map((p, i) => {
    const where = `${file}: points[${i}]`;
    for (const key of ["worker", "workerBuild", "wasmBindgen", "esbuild", "why"] as const) {
      if (typeof p[key] !== "string" || !p[key]) throw new BuildError(`${where}.${key}: must be a version (or, for why, a reason)`);
    }
    const base = `${p.worker}+${p.wasmBindgen}`;
    if (!p.patches?.length) {
      if (p.label !== undefined) throw new BuildError(`${where}.label: only a patched point has a label; add its patches`);
      return { ...p, name: base };
    }
    if (!p.label || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(p.label)) throw new BuildError(`${where}.label: a patched point needs a kebab-case label, e.g. fix-f9`);
    const patches = p.patches.map((patch, j) => {
      if (!(patch.crate in PATCHABLE)) throw new BuildError(`${where}.patches[${j}].crate: "${patch.crate}" cannot be patched; one of ${Object.keys(PATCHABLE).join(", ")}`);
      const path = resolve(dirname(file), patch.file);
      if (!existsSync(path)) throw new BuildError(`${where}.patches[${j}].file: ${patch.file} does not exist (paths are relative to ${file})`);
      return { crate: patch.crate, file: path };
    });
    return { ...p, patches, base, name: `${base}+${p.label}` };
  });
  const names = points.map((p) => p.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) throw new BuildError(`${file}: two points are named ${twice}`);
  return points;
}

/** Packages moved to the point's versions in its lockfile; every other pin stays as this checkout has it. */
const FAMILY = /^(worker|worker-sys|worker-macros|wasm-bindgen.*|js-sys|web-sys)$/;

const POINTS_DIR = join(WORKERS_DIR, "target", "releases");
/** Bump when the way a point's crate is made changes. */
const RECIPE = "release-crate/1";

export function pointDistRoot(point: ReleasePoint): string {
  return join(DIST_DIR, "releases", point.name);
}

/** The checkout's own crate is the newest point when its pins are the point's: built once, in dist/. */
function isCheckout(point: ReleasePoint): boolean {
  if (point.patches?.length || point.sources) return false;
  const lock = join(REAL_CRATE_DIR, "Cargo.lock");
  return lockedVersion(lock, "worker") === point.worker && lockedVersion(lock, "wasm-bindgen") === point.wasmBindgen &&
    CHECKOUT_SOURCE.workerBuildVersion === point.workerBuild;
}

/** Where a patched point's tools are built from: the same folders every time, so a stamp can vouch for them. */
function toolSourcesOf(point: ReleasePoint): ToolSources {
  const tools = join(POINTS_DIR, point.name, "tools");
  const patched = new Set(point.patches?.map((p) => p.crate));
  const trees = point.sources ?? {};
  return {
    ...(patched.has("worker-build") ? { workerBuild: join(tools, "worker-build") } : trees.worker ? { workerBuild: join(trees.worker, "worker-build") } : {}),
    ...(patched.has("wasm-bindgen-cli-support") ? { wasmBindgenCli: join(tools, "wasm-bindgen-cli") }
      : trees["wasm-bindgen"] ? { wasmBindgenCli: join(trees["wasm-bindgen"], "crates", "cli") } : {}),
  };
}

/** The content of a source tree as a stamp sees it: what a build reads, not its outputs. */
const treeHash = (tree: string) => hashTree(tree, new Set(["target", ".git", "node_modules", "build", "dist"]));

/**
 * The point's crate, made (or reused when this checkout's crate has not changed since) under
 * workers/target/releases/<point>/real-canary, and where its builds go. A patched point's
 * libraries are patched copies under <point>/patched/ in its `[patch.crates-io]`, its tools
 * patched copies under <point>/tools/.
 */
export async function pointSource(point: ReleasePoint, log: (line: string) => void): Promise<RealSource> {
  if (isCheckout(point)) return CHECKOUT_SOURCE;
  const crateDir = join(POINTS_DIR, point.name, "real-canary");
  const stampFile = join(crateDir, ".wrh-stamp");
  // The point as it shapes the crate: the esbuild worker-build would want is not an input of it;
  // a patch is its content, not where its file lies.
  const { esbuild: _notAnInput, outDir: _notEither, patches, ...definition } = point;
  const patchHashes = (patches ?? []).map((p) => `${p.crate} ${sha256(readFileSync(p.file))}`);
  // A source tree is its content too: a commit on the branch makes the point again.
  const treeHashes = Object.entries(point.sources ?? {}).map(([name, tree]) => `${name} ${treeHash(tree)}`);
  const stamp = hashStrings([RECIPE, JSON.stringify(definition), ...patchHashes, ...treeHashes, WORKERS_DIR, hashTree(REAL_CRATE_DIR, new Set(["target", "build"]))]);
  const toolSources = toolSourcesOf(point);
  const source: RealSource = {
    crateDir, distRoot: pointDistRoot(point), workerBuildVersion: point.workerBuild, esbuildWanted: point.esbuild,
    shippedEhKnown: false,
    ...(point.outDir ? { fixedOutDir: point.outDir } : {}),
    ...(Object.keys(toolSources).length ? { toolSources } : {}),
  };
  const toolsThere = Object.values(toolSources).every((dir) => existsSync(join(dir, "Cargo.toml")));
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp && toolsThere) return source;

  log(`${point.name}: making its crate (worker ${point.worker}, wasm-bindgen ${point.wasmBindgen}) in ${crateDir}`);
  rmSync(crateDir, { recursive: true, force: true });
  mkdirSync(crateDir, { recursive: true });
  cpSync(join(REAL_CRATE_DIR, "src"), join(crateDir, "src"), { recursive: true });
  // Modules the canary shares with the reference one are included by relative #[path]s: the copy
  // names them where they are.
  for (const file of readdirSync(join(crateDir, "src"))) {
    const path = join(crateDir, "src", file);
    writeFileSync(path, readFileSync(path, "utf8").replaceAll('#[path = "../../', `#[path = "${WORKERS_DIR}/`));
  }
  const manifest = readFileSync(join(REAL_CRATE_DIR, "Cargo.toml"), "utf8");
  const pinned = manifest
    .replace(/^worker = "=[^"]+"$/m, `worker = "=${point.worker}"`)
    .replace(/^wasm-bindgen = "=[^"]+"$/m, `wasm-bindgen = "=${point.wasmBindgen}"`)
    // js-sys follows the wasm-bindgen it was released with: the resolver picks it.
    .replace(/^js-sys = "=[^"]+"$/m, `js-sys = "0.3"`);
  if (!pinned.includes(`worker = "=${point.worker}"`) || !pinned.includes(`wasm-bindgen = "=${point.wasmBindgen}"`)) {
    throw new BuildError(`${REAL_CRATE_DIR}/Cargo.toml no longer pins worker and wasm-bindgen as \`name = "=version"\`; harness/releases/releases.ts rewrites those lines`);
  }
  writeFileSync(join(crateDir, "Cargo.toml"), pinned);
  const lock = readFileSync(join(REAL_CRATE_DIR, "Cargo.lock"), "utf8");
  writeFileSync(join(crateDir, "Cargo.lock"), lock);
  const family = [...lock.matchAll(/^name = "([^"]+)"$/gm)].map((m) => m[1]!).filter((name) => FAMILY.test(name));
  const cargo = requireToolchain().cargo;
  const update = spawnSync(cargo, ["update", ...family.flatMap((name) => ["-p", name])], { cwd: crateDir, encoding: "utf8", env: { ...process.env, RUSTC_BOOTSTRAP: "1" } });
  if (update.status !== 0) {
    throw new BuildError(`${point.name}: \`cargo update\` of ${family.join(", ")} to worker ${point.worker} / wasm-bindgen ${point.wasmBindgen} failed: ${update.stderr.trim().split("\n").slice(-3).join(" ")}`);
  }
  const locked = { worker: lockedVersion(join(crateDir, "Cargo.lock"), "worker"), wasmBindgen: lockedVersion(join(crateDir, "Cargo.lock"), "wasm-bindgen") };
  if (locked.worker !== point.worker || locked.wasmBindgen !== point.wasmBindgen) {
    throw new BuildError(`${point.name}: the lockfile resolved worker ${locked.worker} and wasm-bindgen ${locked.wasmBindgen}`);
  }
  const libraries = patches?.length
    ? (await makePatchedCopies(patches, {
      dir: join(POINTS_DIR, point.name), lockPath: join(crateDir, "Cargo.lock"), workerBuild: point.workerBuild, wasmBindgen: point.wasmBindgen, what: point.name, log,
    })).libraries
    : {};
  // Of a tree, the crates the build uses: cargo refuses a [patch] nothing depends on.
  for (const [name, tree] of Object.entries(point.sources ?? {}) as [keyof SourceTrees, string][]) {
    for (const [crate, folder] of Object.entries(TREE_LIBRARIES[name])) {
      if (existsSync(join(tree, folder, "Cargo.toml")) && lockedVersion(join(crateDir, "Cargo.lock"), crate)) libraries[crate] = join(tree, folder);
    }
  }
  if (Object.keys(libraries).length) patchCrate(point, crateDir, libraries, cargo);
  writeFileSync(stampFile, stamp);
  return source;
}

/** Gives the crate `libraries` through `[patch.crates-io]`, and checks cargo took every one of them. */
function patchCrate(point: ReleasePoint, crateDir: string, libraries: Record<string, string>, cargo: string): void {
  const lockPath = join(crateDir, "Cargo.lock");
  const manifest = join(crateDir, "Cargo.toml");
  writeFileSync(manifest, readFileSync(manifest, "utf8") + cargoPatchSection(libraries));
  // The lock moves only the patched entries to their paths; a patch cargo leaves unused would
  // judge the release under the fix's name.
  const relock = spawnSync(cargo, ["metadata", "--format-version", "1"], { cwd: crateDir, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, RUSTC_BOOTSTRAP: "1" } });
  if (relock.status !== 0) throw new BuildError(`${point.name}: cargo cannot resolve the patched crates: ${relock.stderr.trim().split("\n").at(-1)}`);
  const unused = Object.keys(libraries).filter((name) => !lockedFromPath(lockPath, name));
  if (unused.length || readFileSync(lockPath, "utf8").includes("[[patch.unused]]")) {
    throw new BuildError(`${point.name}: cargo left the patched ${unused.join(", ") || "crates"} unused (a version the point's lock does not have?)`);
  }
}
