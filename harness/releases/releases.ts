// Release points: the real canary (workers/real-canary) built against older `worker` and
// wasm-bindgen releases, each with the worker-build of its release and the wasm-bindgen CLI of
// its exact wasm-bindgen. A point's crate is a copy of this checkout's, with its pins rewritten
// and only the workers-rs / wasm-bindgen family moved in its lockfile; its builds go to
// dist/releases/<point>/<mode>/, so the matrix runs them as it runs dist/<mode>/.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BuildError } from "../build/build.ts";
import { CHECKOUT_SOURCE, REAL_CRATE_DIR, type RealSource } from "../build/real-build.ts";
import { lockedVersion } from "../build/real-tools.ts";
import { hashStrings, hashTree } from "../build/source-hash.ts";
import { requireToolchain } from "../build/toolchain.ts";
import { DIST_DIR, WORKERS_DIR } from "../project.ts";
import type { KnownBug } from "../report/releases.ts";

export interface ReleasePoint {
  /** `<worker>+<wasm-bindgen>`, e.g. 0.8.5+0.2.126: what --only names. */
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

/** The release points, oldest first; the last is the newest. */
export function releasePoints(): ReleasePoint[] {
  const data = JSON.parse(readFileSync(POINTS_FILE, "utf8")) as { points: Omit<ReleasePoint, "name">[] };
  return data.points.map((p) => ({ ...p, name: `${p.worker}+${p.wasmBindgen}` }));
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
  const lock = join(REAL_CRATE_DIR, "Cargo.lock");
  return lockedVersion(lock, "worker") === point.worker && lockedVersion(lock, "wasm-bindgen") === point.wasmBindgen &&
    CHECKOUT_SOURCE.workerBuildVersion === point.workerBuild;
}

/**
 * The point's crate, made (or reused when this checkout's crate has not changed since) under
 * workers/target/releases/<point>/real-canary, and where its builds go.
 */
export function pointSource(point: ReleasePoint, log: (line: string) => void): RealSource {
  if (isCheckout(point)) return CHECKOUT_SOURCE;
  const crateDir = join(POINTS_DIR, point.name, "real-canary");
  const stampFile = join(crateDir, ".wrh-stamp");
  // The point as it shapes the crate: the esbuild worker-build would want is not an input of it.
  const { esbuild: _notAnInput, outDir: _notEither, ...definition } = point;
  const stamp = hashStrings([RECIPE, JSON.stringify(definition), WORKERS_DIR, hashTree(REAL_CRATE_DIR, new Set(["target", "build"]))]);
  const source: RealSource = {
    crateDir, distRoot: pointDistRoot(point), workerBuildVersion: point.workerBuild, esbuildWanted: point.esbuild,
    shippedEhKnown: false,
    ...(point.outDir ? { fixedOutDir: point.outDir } : {}),
  };
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return source;

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
  writeFileSync(stampFile, stamp);
  return source;
}
