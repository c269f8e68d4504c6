// Builds the workers into dist/<variant>/: the canary compiled to wasm, the host shim bundled
// into an ES-module Worker that serves it, and a manifest. Each half is skipped when its
// inputs hash matches the manifest, so an unchanged rebuild compiles nothing.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { PROTOCOL_DIR, SHIM_DIR, WORKERS_DIR, variantDistDir } from "../project.ts";
import { type BuildManifest, MANIFEST_FILE, WASM_FILE, WORKER_FILE, readManifest, writeManifest } from "./manifest.ts";
import { hashStrings, hashTree, sha256 } from "./source-hash.ts";
import { type Toolchain, WASM_TARGET, requireToolchain } from "./toolchain.ts";
import { type Variant, VARIANTS } from "./variants.ts";
import { ehEncodingOf, inspectWasm } from "./wasm-inspect.ts";
import { duration } from "../duration.ts";
import { InputError, WorkFailedError } from "../errors.ts";

export const DEFAULT_MAX_MEMORY_BYTES = 64 * 1024 * 1024;
const WASM_PAGE_BYTES = 64 * 1024;
const GUEST_CRATE = "canary";

// Every variant exports Rust's shadow-stack pointer: the host restores it when an exception
// leaves an export, which skips the export's own epilogue.
const COMMON_RUSTFLAGS = ["-Clink-arg=--export=__stack_pointer"];

export class BuildError extends WorkFailedError {
  override name = "BuildError";
}

export interface BuildOptions {
  /** Variants to build; all by default. */
  variants?: readonly Variant[];
  /** Linear memory cap; must be a whole number of 64 KiB pages. */
  maxMemoryBytes?: number;
  /** Compile and bundle even when the manifest says the outputs are current. */
  force?: boolean;
  toolchain?: Toolchain;
  /** Receives progress lines; cargo's own output goes straight to stderr. */
  log?: (line: string) => void;
}

export interface VariantBuild {
  manifest: BuildManifest;
  wasm: "compiled" | "up-to-date";
  worker: "bundled" | "up-to-date";
}

/** What a build of `variant` would do, without doing it. */
export interface BuildPlan {
  variant: Variant;
  rustflags: string[];
  rustInputsHash: string;
  workerInputsHash: string;
  compile: boolean;
  bundle: boolean;
}

export function validateMaxMemory(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < WASM_PAGE_BYTES || bytes % WASM_PAGE_BYTES !== 0) {
    throw new InputError(`max memory must be a positive multiple of 64 KiB (65536 bytes), got ${bytes}`);
  }
  return bytes;
}

function targetDir(variant: Variant): string {
  return join(WORKERS_DIR, "target", variant.name);
}

/** What the current checkout and toolchain would produce; computed once per build. */
export interface BuildInputs {
  toolchain: Toolchain;
  maxMemoryBytes: number;
  sourceHash: string;
  shimHash: string;
}

export function buildInputs(toolchain: Toolchain, maxMemoryBytes = DEFAULT_MAX_MEMORY_BYTES): BuildInputs {
  return {
    toolchain,
    maxMemoryBytes: validateMaxMemory(maxMemoryBytes),
    // The real canary is built by worker-build from its own lockfile (real-build.ts). The Rust
    // reads the constants it shares with the harness from harness/protocol at compile time.
    sourceHash: hashStrings([hashTree(WORKERS_DIR, new Set(["target", "real-canary"])), hashTree(PROTOCOL_DIR)]),
    // Everything the bundle is made of: the shim and the protocol it shares with the harness.
    shimHash: hashStrings([hashTree(SHIM_DIR), hashTree(PROTOCOL_DIR)]),
  };
}

export function planBuild(variant: Variant, inputs: BuildInputs, force = false): BuildPlan {
  const rustflags = [...variant.rustflags, ...COMMON_RUSTFLAGS, `-Clink-arg=--max-memory=${inputs.maxMemoryBytes}`];
  const rustInputsHash = hashStrings([inputs.sourceHash, inputs.toolchain.version, variant.buildStd, ...rustflags]);
  const workerInputsHash = hashStrings([inputs.shimHash, variant.name, esbuild.version]);
  const dist = variantDistDir(variant.name);
  const previous = readManifest(variant.name);
  const compile = force || previous?.rustInputsHash !== rustInputsHash || !existsSync(join(dist, WASM_FILE));
  const bundle = force || previous?.worker.inputsHash !== workerInputsHash || !existsSync(join(dist, WORKER_FILE));
  return { variant, rustflags, rustInputsHash, workerInputsHash, compile, bundle };
}

function runCargo(plan: BuildPlan, toolchain: Toolchain): Promise<void> {
  const args = [
    "build", "--release", "--target", WASM_TARGET, `-Zbuild-std=${plan.variant.buildStd}`,
    "--manifest-path", join(WORKERS_DIR, "Cargo.toml"), "--target-dir", targetDir(plan.variant),
    "-p", GUEST_CRATE,
  ];
  if (toolchain.vendorDir) {
    // std's dependencies come from the toolchain's vendored sources; never touch the network.
    args.push(
      "--offline",
      "--config", `source.crates-io.replace-with="vendored-std"`,
      "--config", `source.vendored-std.directory="${toolchain.vendorDir}"`,
    );
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // -Zbuild-std is unstable; this lets a stable (Debian) toolchain use it.
    RUSTC_BOOTSTRAP: "1",
    RUSTC: toolchain.rustc,
    CARGO_ENCODED_RUSTFLAGS: plan.rustflags.join("\x1f"),
  };
  delete env.RUSTFLAGS;
  if (toolchain.linker) env.CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER = toolchain.linker;
  return new Promise((resolve, reject) => {
    const child = spawn(toolchain.cargo, args, { cwd: WORKERS_DIR, env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", (e) => reject(new BuildError(`cannot run ${toolchain.cargo}: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new BuildError(`cargo failed for variant ${plan.variant.name} (${signal ?? `exit ${code}`}); its errors are above`));
    });
  });
}

async function bundleWorker(plan: BuildPlan): Promise<void> {
  const { variant } = plan;
  await esbuild.build({
    entryPoints: [join(SHIM_DIR, "worker.ts")],
    outfile: join(variantDistDir(variant.name), WORKER_FILE),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    // The wasm sits next to the bundle; workerd compiles it as a CompiledWasm module.
    external: ["*.wasm"],
    define: {
      WRH_BUILD: JSON.stringify({ variant: variant.name, panicStrategy: variant.panic, ehEncoding: variant.eh }),
    },
    logLevel: "warning",
  });
}


async function buildVariant(plan: BuildPlan, inputs: BuildInputs, log: (line: string) => void): Promise<VariantBuild> {
  const { toolchain, maxMemoryBytes } = inputs;
  const { variant } = plan;
  const dist = variantDistDir(variant.name);
  mkdirSync(dist, { recursive: true });
  const previous = readManifest(variant.name);

  let compileMs = previous?.compileMs ?? 0;
  if (plan.compile) {
    const cold = !existsSync(targetDir(variant));
    log(`${variant.name}: compiling (${variant.summary})${cold ? "; a cold build compiles std first, 30-60 s" : ""}…`);
    const started = performance.now();
    await runCargo(plan, toolchain);
    compileMs = Math.round(performance.now() - started);
    copyFileSync(join(targetDir(variant), WASM_TARGET, "release", `${GUEST_CRATE}.wasm`), join(dist, WASM_FILE));
  }

  // The flags are only a request; check the module delivers what the variant promises.
  const bytes = readFileSync(join(dist, WASM_FILE));
  const { exceptions, memory } = inspectWasm(bytes);
  const found = ehEncodingOf(exceptions);
  if (found !== variant.eh) {
    throw new BuildError(
      `variant ${variant.name} should use ${variant.eh} exception handling but ${WASM_FILE} has ${found}; ` +
      `toolchain ${toolchain.version} may not honour ${variant.rustflags.join(" ")}`,
    );
  }
  if (!memory || memory.maxPages !== maxMemoryBytes / WASM_PAGE_BYTES) {
    throw new BuildError(
      `variant ${variant.name}: ${WASM_FILE} should cap memory at ${maxMemoryBytes / WASM_PAGE_BYTES} pages ` +
      `but declares ${memory?.maxPages ?? "no"} maximum`,
    );
  }
  if (plan.bundle) await bundleWorker(plan);

  const manifest: BuildManifest = {
    variant: variant.name,
    panicStrategy: variant.panic,
    ehEncoding: found,
    toolchain: { kind: toolchain.kind, rustc: toolchain.version },
    rustflags: plan.rustflags,
    buildStd: variant.buildStd,
    maxMemoryBytes,
    sourceHash: inputs.sourceHash,
    rustInputsHash: plan.rustInputsHash,
    wasm: { file: WASM_FILE, bytes: bytes.length, sha256: sha256(bytes), exceptions, memory },
    worker: { file: WORKER_FILE, inputsHash: plan.workerInputsHash },
    compileMs,
    builtAt: plan.compile || plan.bundle || !previous ? new Date().toISOString() : previous.builtAt,
  };
  // Written last: an interrupted build leaves the old manifest, whose hashes force a redo.
  writeManifest(manifest);
  log(
    `${variant.name}: ${plan.compile ? `compiled in ${duration(compileMs)}` : "wasm up to date"}, ` +
    `${plan.bundle ? "worker bundled" : "worker up to date"} → ${join(dist, WASM_FILE)} ` +
    `(${(bytes.length / 1024).toFixed(1)} KiB, ${found} EH) and ${MANIFEST_FILE}`,
  );
  return { manifest, wasm: plan.compile ? "compiled" : "up-to-date", worker: plan.bundle ? "bundled" : "up-to-date" };
}

/** Builds the requested variants one after another (cargo already uses every core). */
export async function buildVariants(options: BuildOptions = {}): Promise<VariantBuild[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`wrh build: ${line}\n`));
  const inputs = buildInputs(options.toolchain ?? requireToolchain(), options.maxMemoryBytes);
  const results: VariantBuild[] = [];
  for (const variant of options.variants ?? VARIANTS) {
    results.push(await buildVariant(planBuild(variant, inputs, options.force), inputs, log));
  }
  return results;
}
