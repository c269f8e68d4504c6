// The build manifest: one `dist/<variant>/manifest.json` per built variant. It is the
// contract between the build stage and everything after it (runner, reports, benchmarks),
// and it is what lets a rebuild with unchanged inputs skip compiling.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { variantDistDir } from "../project.ts";
import type { ExceptionCensus, MemoryLimits } from "./wasm-inspect.ts";
import type { EhEncoding, VariantName } from "./variants.ts";

export const MANIFEST_FILE = "manifest.json";
export const WASM_FILE = "canary.wasm";
export const WORKER_FILE = "worker.js";

export interface BuildManifest {
  variant: VariantName;
  /** How rustc compiled panics. */
  panicStrategy: "abort" | "unwind";
  /** Exception-handling encoding, as verified by decoding the built module. */
  ehEncoding: EhEncoding;
  toolchain: {
    kind: "rustup-nightly" | "debian";
    /** `rustc --version`. */
    rustc: string;
  };
  /** Every rustc flag the workspace and std were compiled with, in order. */
  rustflags: string[];
  /** The -Zbuild-std crate list. */
  buildStd: string;
  /** Upper bound of linear memory (`--max-memory`), so OOM is a real allocation failure. */
  maxMemoryBytes: number;
  /** SHA-256 over the Rust sources (`workers/`, without `target/`). */
  sourceHash: string;
  /** SHA-256 over the sources, the flags and the toolchain: equal means the wasm is current. */
  rustInputsHash: string;
  wasm: {
    file: string;
    bytes: number;
    sha256: string;
    exceptions: ExceptionCensus;
    /** Linear memory limits as declared in the module (maxPages × 64 KiB = maxMemoryBytes). */
    memory: MemoryLimits;
  };
  /** The ES-module Worker (host shim bundled to JS) that serves the wasm. */
  worker: {
    file: string;
    /** SHA-256 over the shim sources and the variant: equal means the bundle is current. */
    inputsHash: string;
  };
  /** Wall time of the last compile of the wasm, in milliseconds. */
  compileMs: number;
  builtAt: string;
}

export function manifestPath(variant: string): string {
  return join(variantDistDir(variant), MANIFEST_FILE);
}

/** The manifest of a built variant, or undefined if it was never built (or is unreadable). */
export function readManifest(variant: string): BuildManifest | undefined {
  const path = manifestPath(variant);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as BuildManifest;
  } catch {
    return undefined;
  }
}

export function writeManifest(manifest: BuildManifest): void {
  writeFileSync(manifestPath(manifest.variant), JSON.stringify(manifest, null, 2) + "\n");
}
