// The real workers-rs builds in dist/real-*/ (made by `wrh setup` or `wrh build --variant real`):
// each manifest names the versions in workers/real-canary/Cargo.lock and the EH encoding its
// mode promises, and both agree with the files on disk. Nothing is rebuilt here; a mode that
// was never built is skipped.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { variantDistDir } from "../project.ts";
import { REAL_CRATE_DIR, REAL_ENTRY_FILE, REAL_MODES, readRealManifest } from "./real-build.ts";
import { WORKER_BUILD_VERSION, lockedVersion } from "./real-tools.ts";
import { sha256 } from "./source-hash.ts";
import { ehEncodingOf, inspectWasm } from "./wasm-inspect.ts";

const lock = join(REAL_CRATE_DIR, "Cargo.lock");

describe.each(REAL_MODES.map((m) => [m.name, m] as const))("%s", (name, mode) => {
  const built = readRealManifest(name) !== undefined;

  it.skipIf(!built)("manifest names the versions in the real canary's Cargo.lock", () => {
    const manifest = readRealManifest(name)!;
    expect(manifest.kind).toBe("real");
    expect(manifest.variant).toBe(name);
    expect(manifest.versions.worker).toBe(lockedVersion(lock, "worker"));
    expect(manifest.versions.wasmBindgen).toBe(lockedVersion(lock, "wasm-bindgen"));
    // worker-build runs the CLI of exactly the lockfile's wasm-bindgen.
    expect(manifest.versions.wasmBindgenCli).toBe(manifest.versions.wasmBindgen);
    expect(manifest.versions.workerBuild).toBe(WORKER_BUILD_VERSION);
    expect(manifest.workerBuildArgs).toEqual([...mode.workerBuildArgs, ...(mode.wasmOpt ? [] : ["--no-opt"])]);
    expect(manifest.wasmOpt).toBe(mode.wasmOpt);
  });

  it.skipIf(!built)("the shipped wasm has the EH encoding and memory cap the mode promises", () => {
    const manifest = readRealManifest(name)!;
    const bytes = readFileSync(join(variantDistDir(name), mode.wasmFile));
    const { exceptions, memory } = inspectWasm(bytes);
    expect(manifest.panicStrategy).toBe(mode.panic);
    expect(manifest.ehEncoding).toBe(mode.eh);
    expect(ehEncodingOf(exceptions)).toBe(mode.eh);
    expect(manifest.wasm).toMatchObject({ file: mode.wasmFile, bytes: bytes.length, sha256: sha256(bytes), exceptions });
    expect(memory?.maxPages).toBe(manifest.maxMemoryBytes / 65536);
    // rustc's own output, before wasm-bindgen added its import wrappers.
    expect(manifest.rustcWasm.ehEncoding).toBe(mode.rustcEh);
    if (mode.rustcEh === "none") expect(Object.values(manifest.rustcWasm.exceptions.instructions).every((n) => n === 0)).toBe(true);
  });

  it.skipIf(!built)("the entry is worker-build's index.js and the wasm is imported as a module", () => {
    const manifest = readRealManifest(name)!;
    expect(manifest.entry).toBe(REAL_ENTRY_FILE);
    const dist = variantDistDir(name);
    expect(existsSync(join(dist, REAL_ENTRY_FILE))).toBe(true);
    expect(manifest.files).toContain(mode.wasmFile);
    // The module that imports the wasm: index.js itself, or (--no-panic-recovery) worker/shim.mjs.
    const importer = mode.wasmFile.startsWith("worker/") ? join(dist, "worker", "shim.mjs") : join(dist, REAL_ENTRY_FILE);
    const wasmName = mode.wasmFile.split("/").pop()!.replace(".", "\\.");
    expect(readFileSync(importer, "utf8")).toMatch(new RegExp(`["']\\./${wasmName}["']`));
  });
});
