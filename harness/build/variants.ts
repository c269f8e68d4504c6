// The build variants of the workers. A variant fixes how panics are compiled and which
// WebAssembly exception-handling encoding carries them; the recovery strategy the host runs
// (none / reset / unwind) is chosen later, at run time, from what the variant allows.

import type { ReferenceBuild } from "../history/run.ts";

export type VariantName = ReferenceBuild;

/** Exception-handling encoding in the compiled module: none, legacy try/catch, or exnref try_table. */
export type EhEncoding = "none" | "legacy" | "exnref";

export interface Variant {
  name: VariantName;
  panic: "abort" | "unwind";
  eh: EhEncoding;
  /** What the variant is, in one line, for progress output and docs. */
  summary: string;
  /** rustc flags specific to the variant (the builder adds the common ones and the memory cap). */
  rustflags: readonly string[];
  /** Crates passed to -Zbuild-std: std plus the panic runtime the flags select. */
  buildStd: string;
}

export const VARIANTS: readonly Variant[] = [
  {
    name: "abort",
    panic: "abort",
    eh: "none",
    summary: "panic=abort, no exception handling",
    rustflags: ["-Cpanic=abort"],
    buildStd: "std,panic_abort",
  },
  {
    name: "unwind",
    panic: "unwind",
    eh: "legacy",
    summary: "panic=unwind, legacy exception handling (try/catch)",
    // LLVM's default encoding changed between Rust releases; spell it out either way.
    rustflags: ["-Cpanic=unwind", "-Cllvm-args=-wasm-use-legacy-eh=true"],
    buildStd: "std,panic_unwind",
  },
  {
    name: "unwind-exnref",
    panic: "unwind",
    eh: "exnref",
    summary: "panic=unwind, exnref exception handling (try_table)",
    rustflags: ["-Cpanic=unwind", "-Cllvm-args=-wasm-use-legacy-eh=false"],
    buildStd: "std,panic_unwind",
  },
];

export const VARIANT_NAMES = VARIANTS.map((v) => v.name);

export function variantByName(name: string): Variant | undefined {
  return VARIANTS.find((v) => v.name === name);
}
