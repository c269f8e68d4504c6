// Where things live in a checkout. Every stage resolves paths from here, so the CLI, the
// tests and the build agree however they are started.
import { join, resolve } from "node:path";

export const PROJECT_ROOT = resolve(import.meta.dirname, "..");
export const WORKERS_DIR = join(PROJECT_ROOT, "workers");
export const SHIM_DIR = join(PROJECT_ROOT, "harness/shim");
export const PROTOCOL_DIR = join(PROJECT_ROOT, "harness/protocol");
export const DIST_DIR = join(PROJECT_ROOT, "dist");

export function variantDistDir(variant: string): string {
  return join(DIST_DIR, variant);
}
