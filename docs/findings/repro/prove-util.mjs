// Shared by the prove.mjs scripts of these reproductions: their command line, the worker-build run,
// the two ways they get their builds (one build copied and its JS patched per variant, or one build
// per variant with a registry crate patched), and their tables.
//
// worker-build is `worker-build` from PATH, or $WORKER_BUILD; when neither is set and this machine
// has the workers-recovery-harness's offline tool cache (~/.cache/wrh: worker-build 0.8.7,
// wasm-bindgen-cli 0.2.130, toolchain shims), it is that cache used the way the harness does
// (--no-opt, the project's esbuild, a 64 MiB memory cap, legacy exception handling under
// --panic-unwind), offline.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

const args = process.argv.slice(2);

export const hasFlag = (name) => args.includes(name);

/** The positive integer after `name` on the command line, or `fallback` when `name` is absent. */
export function numberArg(name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`${name} wants a positive integer`);
  return n;
}

/** The options every prove.mjs takes: --runs N (default `defaultRuns`) and --build. */
export const proveArgs = (defaultRuns) => ({ runs: numberArg("--runs", defaultRuns), rebuild: hasFlag("--build") });

/**
 * The worker-build command for `buildArgs` (["--release"], ["--release", "--panic-unwind"]) and its
 * environment: this process's, with `extraEnv` over it (an undefined value unsets the variable).
 */
export function workerBuild(buildArgs, extraEnv = {}) {
  const wrh = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "wrh");
  const cachedWorkerBuild = join(wrh, "tools", "worker-build-0.8.7", "bin", "worker-build");
  const env = { ...process.env };
  for (const [name, value] of Object.entries(extraEnv)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  if (process.env.WORKER_BUILD || !existsSync(cachedWorkerBuild) || spawnSync("worker-build", ["--version"]).status === 0) {
    return { cmd: process.env.WORKER_BUILD || "worker-build", argv: buildArgs, env };
  }
  const shims = join(wrh, "toolchain-shims");
  const esbuildPkg = dirname(createRequire(import.meta.url).resolve("esbuild/package.json"));
  // The harness's real-unwind build: workerd runs its legacy try/catch, not exnref.
  const eh = buildArgs.includes("--panic-unwind") ? ["-Cllvm-args=-wasm-use-legacy-eh=true"] : [];
  return {
    cmd: cachedWorkerBuild,
    argv: [...buildArgs, "--no-opt"],
    env: {
      ...env,
      PATH: `${shims}:${env.PATH ?? ""}`,
      RUSTFLAGS: [...eh, "-Clink-arg=--max-memory=67108864"].join(" "),
      CARGO_NET_OFFLINE: "true",
      WASM_BINDGEN_BIN: join(wrh, "tools", "wasm-bindgen-cli-0.2.130", "bin", "wasm-bindgen"),
      WASM_OPT_BIN: join(shims, "wasm-opt"),
      ESBUILD_BIN: join(dirname(esbuildPkg), "@esbuild", `${process.platform}-${process.arch}`, "bin", "esbuild"),
    },
  };
}

/** Runs `tools` (from workerBuild) in the crate `cwd`; throws, naming `what` if given, when it fails. */
function runWorkerBuild(tools, cwd, what) {
  const result = spawnSync(tools.cmd, tools.argv, { cwd, env: tools.env, stdio: "inherit" });
  if (result.status !== 0) {
    throw new Error(`${what ? `${what}: ` : ""}${tools.cmd} failed (${result.error?.message ?? `exit ${result.status}`})`);
  }
}

/** Prints a Markdown table: `header` and `rows` are arrays of strings. */
export function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

// ---- one build, its JS patched per variant --------------------------------------------------------

/** `crateDir`/build, built with `worker-build --release` when `rebuild` or when it is missing. */
export function buildOnce(crateDir, rebuild) {
  const built = join(crateDir, "build");
  if (rebuild || !existsSync(join(built, "index.js"))) {
    const tools = workerBuild(["--release"]);
    console.log(`building: ${tools.cmd} ${tools.argv.join(" ")}`);
    runWorkerBuild(tools, crateDir);
  } else console.log(`using the existing ${built} (pass --build to rebuild)`);
  return built;
}

/**
 * Empties `out` and writes `out`/<name>/ for each of `variants` ({name, patch}): the build's wasm,
 * and its index.js through the variant's `patch`, then through `finish`.
 */
export function writeVariants(built, out, variants, finish = (js) => js) {
  rmSync(out, { recursive: true, force: true });
  const js = readFileSync(join(built, "index.js"), "utf8");
  for (const v of variants) {
    const dir = join(out, v.name);
    mkdirSync(dir, { recursive: true });
    cpSync(join(built, "index_bg.wasm"), join(dir, "index_bg.wasm"));
    writeFileSync(join(dir, "index.js"), finish(v.patch(js)));
  }
}

// ---- one build per variant, a registry crate patched -----------------------------------------------

function registryCrate(name) {
  const src = join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "registry", "src");
  for (const index of existsSync(src) ? readdirSync(src) : []) {
    if (existsSync(join(src, index, name, "Cargo.toml"))) return join(src, index, name);
  }
  throw new Error(`${name} is not in ${src} (run a cargo build of this crate once, online, to fetch it)`);
}

/** Copies the crate out of the registry into `work`/crates/ and makes the edit there, exactly once. */
function patchedCrate(work, { crate, file, from, to }) {
  const dir = join(work, "crates", crate);
  rmSync(dir, { recursive: true, force: true });
  cpSync(registryCrate(crate), dir, { recursive: true });
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  const found = text.split(from).length - 1;
  if (found !== 1) throw new Error(`${crate}/${file}: the text to patch occurs ${found} times, not once`);
  writeFileSync(path, text.replace(from, to));
  return dir;
}

const CARGO_OVERRIDES = ["CARGO_ENCODED_RUSTFLAGS", "RUSTUP_TOOLCHAIN", "CARGO", "RUSTC", "RUSTC_WRAPPER", "CARGO_BUILD_TARGET"];

/**
 * Builds `work`/<name>/build/ with worker-build `buildArgs` from a copy of `crateDir`'s Cargo.toml,
 * Cargo.lock and src/ (so those stay as shipped), with `config` as its Cargo config and, given
 * `patch` ({crate: "<name>-<version>", file, from, to}), that registry crate edited and put in
 * [patch.crates-io]. All variants share one target dir, `work`/target or $CARGO_TARGET_DIR. The
 * build is reused while its inputs are unchanged, unless `rebuild`; returns the seconds spent.
 */
export function buildVariant({ crateDir, work, name, buildArgs, config, patch, rebuild }) {
  const dir = join(work, name);
  const tools = workerBuild(buildArgs, {
    CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR || join(work, "target"),
    // Unset: inherited from a cargo that started this node, they would override the toolchain,
    // target and flags chosen here.
    ...Object.fromEntries(CARGO_OVERRIDES.map((n) => [n, undefined])),
  });
  // An undefined `config` stays out of the stamp, so a caller that never passes one keeps its stamps.
  const inputs = JSON.stringify({
    tools: [tools.cmd, ...tools.argv, tools.env.RUSTFLAGS ?? ""],
    config,
    patch: patch ?? null,
    sources: ["Cargo.toml", "Cargo.lock", "src/lib.rs"].map((f) => readFileSync(join(crateDir, f), "utf8")),
  });
  const stamp = join(dir, "build", "prove-inputs.json");
  if (!rebuild && existsSync(stamp) && readFileSync(stamp, "utf8") === inputs) return 0;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, ".cargo"), { recursive: true });
  for (const f of ["Cargo.toml", "Cargo.lock", "src"]) cpSync(join(crateDir, f), join(dir, f), { recursive: true });
  const patchedName = patch?.crate.replace(/-\d+\.\d+\.\d+$/, "");
  let cargoConfig = config ?? "";
  if (patch) cargoConfig += `[patch.crates-io]\n${patchedName} = { path = ${JSON.stringify(patchedCrate(work, patch))} }\n`;
  writeFileSync(join(dir, ".cargo", "config.toml"), cargoConfig);
  console.log(`building ${name}: ${tools.cmd} ${tools.argv.join(" ")}${cargoConfig ? ` with\n${cargoConfig.trim().replace(/^/gm, "  ")}` : ""}`);
  const started = Date.now();
  runWorkerBuild(tools, dir, name);
  if (patch) {
    // The patch must have been used, not listed as unused.
    const lock = readFileSync(join(dir, "Cargo.lock"), "utf8");
    const entry = lock.split("[[package]]").find((p) => p.includes(`name = "${patchedName}"\n`));
    if (!entry || entry.includes("source =") || lock.includes("[[patch.unused]]")) {
      throw new Error(`${name}: the patched ${patchedName} was not used`);
    }
  }
  writeFileSync(stamp, inputs);
  return (Date.now() - started) / 1000;
}
