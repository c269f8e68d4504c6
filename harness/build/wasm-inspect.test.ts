import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { variantDistDir } from "../project.ts";
import { WASM_FILE } from "./manifest.ts";
import { VARIANTS } from "./variants.ts";
import { ehEncodingOf, inspectWasm } from "./wasm-inspect.ts";
import { WasmDecodeError } from "./wasm-reader.ts";

const wasmOf = (variant: string) => readFileSync(join(variantDistDir(variant), WASM_FILE));
const exceptionCensus = (bytes: Uint8Array) => inspectWasm(bytes).exceptions;

describe("exception handling in the built modules", () => {
  it("abort has no exception-handling instructions and no tags", () => {
    const census = exceptionCensus(wasmOf("abort"));
    expect(census.functionsDecoded).toBeGreaterThan(10);
    expect(Object.values(census.instructions).every((n) => n === 0)).toBe(true);
    expect(census.tagsDefined + census.tagsImported).toBe(0);
    expect(ehEncodingOf(census)).toBe("none");
  });

  it("unwind uses legacy try/catch and no try_table", () => {
    const { instructions, tagsDefined } = exceptionCensus(wasmOf("unwind"));
    expect(instructions.try).toBeGreaterThan(0);
    expect(instructions.catch + instructions.catch_all).toBeGreaterThan(0);
    expect(instructions.try_table + instructions.throw_ref).toBe(0);
    expect(tagsDefined).toBeGreaterThan(0);
  });

  it("unwind-exnref uses try_table and no legacy try", () => {
    const { instructions, tagsDefined } = exceptionCensus(wasmOf("unwind-exnref"));
    expect(instructions.try_table).toBeGreaterThan(0);
    expect(instructions.try + instructions.catch + instructions.catch_all + instructions.rethrow + instructions.delegate).toBe(0);
    expect(tagsDefined).toBeGreaterThan(0);
  });

  it.each(VARIANTS.map((v) => [v.name, v.eh] as const))("%s is classified as %s", (name, eh) => {
    expect(ehEncodingOf(exceptionCensus(wasmOf(name)))).toBe(eh);
  });

  // Node 24's V8 rejects the exnref build (it uses `noexternref`, still behind a GC flag there);
  // workerd accepts it, which the canary tests show by serving it.
  it.each(["abort", "unwind"])("%s is valid wasm for Node's V8 too", (name) => {
    expect(WebAssembly.validate(wasmOf(name))).toBe(true);
  });
});

describe("the decoder", () => {
  it("rejects bytes that are not wasm", () => {
    expect(() => exceptionCensus(new TextEncoder().encode("not wasm at all"))).toThrow(WasmDecodeError);
  });

  it("rejects a truncated module instead of miscounting", () => {
    const bytes = wasmOf("unwind");
    expect(() => exceptionCensus(bytes.subarray(0, Math.floor(bytes.length * 0.6)))).toThrow(WasmDecodeError);
  });

  it("counts instructions by opcode position, not byte value", () => {
    // One function whose body is `i32.const 6; drop; end`: 0x06 appears only as an immediate.
    const module = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
      0x03, 0x02, 0x01, 0x00, // function section
      0x0a, 0x07, 0x01, 0x05, 0x00, 0x41, 0x06, 0x1a, 0x0b, // code section
    ]);
    expect(WebAssembly.validate(module)).toBe(true);
    const { exceptions, memory } = inspectWasm(module);
    expect(exceptions.functionsDecoded).toBe(1);
    expect(exceptions.instructions.try).toBe(0);
    expect(memory).toBeUndefined();
  });
});
