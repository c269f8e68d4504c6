import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { variantDistDir } from "../project.ts";
import { buildInputs, buildVariants, planBuild, validateMaxMemory } from "./build.ts";
import { WASM_FILE, readManifest } from "./manifest.ts";
import { requireToolchain } from "./toolchain.ts";
import { VARIANTS } from "./variants.ts";
import { inspectWasm } from "./wasm-inspect.ts";

// The global setup has just built every variant from these sources.
const inputs = buildInputs(requireToolchain());

describe("rebuilds", () => {
  it.each(VARIANTS.map((v) => [v.name, v] as const))("%s: unchanged inputs plan no compiling and no bundling", (_, variant) => {
    const plan = planBuild(variant, inputs);
    expect(plan).toMatchObject({ compile: false, bundle: false });
  });

  it("a second build compiles and bundles nothing and keeps each builtAt", async () => {
    const before = VARIANTS.map((v) => readManifest(v.name)?.builtAt);
    const results = await buildVariants({ toolchain: inputs.toolchain, log: () => {} });
    expect(results.map((r) => [r.wasm, r.worker])).toEqual(VARIANTS.map(() => ["up-to-date", "up-to-date"]));
    expect(VARIANTS.map((v) => readManifest(v.name)?.builtAt)).toEqual(before);
  });

  it.each(VARIANTS.map((v) => [v.name, v] as const))("%s: a changed source, flag or toolchain forces a compile", (_, variant) => {
    expect(planBuild(variant, { ...inputs, sourceHash: "0".repeat(64) }).compile).toBe(true);
    expect(planBuild(variant, { ...inputs, maxMemoryBytes: inputs.maxMemoryBytes * 2 }).compile).toBe(true);
    expect(planBuild(variant, { ...inputs, toolchain: { ...inputs.toolchain, version: "rustc 0.0.0" } }).compile).toBe(true);
    expect(planBuild(variant, { ...inputs, shimHash: "0".repeat(64) })).toMatchObject({ compile: false, bundle: true });
  });
});

describe("manifests", () => {
  it.each(VARIANTS.map((v) => [v.name, v] as const))("%s: manifest describes the built wasm", (name, variant) => {
    const manifest = readManifest(name)!;
    const bytes = readFileSync(join(variantDistDir(name), WASM_FILE));
    expect(manifest).toMatchObject({
      variant: name,
      panicStrategy: variant.panic,
      ehEncoding: variant.eh,
      toolchain: { rustc: inputs.toolchain.version },
      buildStd: variant.buildStd,
      maxMemoryBytes: inputs.maxMemoryBytes,
      sourceHash: inputs.sourceHash,
      wasm: { bytes: bytes.length },
    });
    expect(manifest.rustflags).toEqual(expect.arrayContaining([...variant.rustflags, `-Clink-arg=--max-memory=${inputs.maxMemoryBytes}`]));
  });
});

describe("memory cap", () => {
  it.each(VARIANTS.map((v) => [v.name] as const))("%s: the module declares the cap as its maximum", (name) => {
    const { memory } = inspectWasm(readFileSync(join(variantDistDir(name), WASM_FILE)));
    expect(memory).toMatchObject({ maxPages: inputs.maxMemoryBytes / 65536, imported: false });
  });

  // Instantiated in Node, whose V8 cannot compile the exnref build (see wasm-inspect.test.ts).
  it.each(["abort", "unwind"])("%s: linear memory cannot grow past the cap", async (name) => {
    const module = await WebAssembly.compile(readFileSync(join(variantDistDir(name), WASM_FILE)));
    // Nothing is called here; every import just has to exist.
    const imports: Record<string, Record<string, () => void>> = {};
    for (const { module: from, name } of WebAssembly.Module.imports(module)) (imports[from] ??= {})[name] = () => {};
    const memory = new WebAssembly.Instance(module, imports).exports.memory as WebAssembly.Memory;
    const capPages = readManifest(name)!.maxMemoryBytes / 65536;
    const pages = memory.buffer.byteLength / 65536;
    expect(() => memory.grow(capPages - pages + 1)).toThrow(RangeError);
    memory.grow(capPages - pages);
    expect(memory.buffer.byteLength).toBe(capPages * 65536);
  });

  it("rejects a cap that is not a whole number of 64 KiB pages", () => {
    expect(() => validateMaxMemory(1000)).toThrow(/multiple of 64 KiB/);
    expect(() => validateMaxMemory(0)).toThrow(/multiple of 64 KiB/);
    expect(validateMaxMemory(128 * 65536)).toBe(128 * 65536);
  });
});
