// Where things live in a checkout. Every stage resolves paths from here, so the CLI, the
// tests and the build agree however they are started. In an installed package the root is its
// lib/ folder: the compiled harness and catalog, with the built-in profiles and the canary's
// wrangler.toml copied beside them (harness/package/build-lib.ts), and no Rust sources.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const PROJECT_ROOT = resolve(import.meta.dirname, "..");
export const WORKERS_DIR = join(PROJECT_ROOT, "workers");
export const SHIM_DIR = join(PROJECT_ROOT, "harness/shim");
export const PROTOCOL_DIR = join(PROJECT_ROOT, "harness/protocol");
export const DIST_DIR = join(PROJECT_ROOT, "dist");

/** A clone of the repository, which can build the canary; an installed package only judges workers. */
export const IN_CLONE = existsSync(join(WORKERS_DIR, "Cargo.toml"));

/** The one-line refusal of what needs the Rust sources, from an installed package. */
export function onlyInClone(what: string): string {
  return `${what} works only in a clone of the repository (it builds the canary from its Rust sources); ` +
    "an installed package judges a worker of your own: wrh run --worker <wrangler.toml|built dir>";
}

export function variantDistDir(variant: string): string {
  return join(DIST_DIR, variant);
}
