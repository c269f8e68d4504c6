// The one reader of WebAssembly binaries: the primitives of the binary format, the section
// layout and the import entries. What the build inspects (./wasm-inspect.ts) and what a real
// mutant patches (../mutants/real-glue.ts) both read modules through it.

export class WasmDecodeError extends Error {
  override name = "WasmDecodeError";
}

// Reference types that carry a heap type after their prefix: (ref ht), (ref null ht).
const REF_WITH_HEAPTYPE = new Set([0x63, 0x64]);

/** A cursor over a module's bytes (or one section of it), decoding the binary format's primitives. */
export class WasmReader {
  pos = 0;
  private readonly bytes: Uint8Array;
  /** Where this reader stops: the end of its section, or of the module. */
  readonly end: number;

  constructor(bytes: Uint8Array, end = bytes.length) {
    this.bytes = bytes;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  byte(): number {
    if (this.pos >= this.end) throw new WasmDecodeError(`unexpected end of input at offset ${this.pos}`);
    return this.bytes[this.pos++]!;
  }

  skip(n: number): void {
    if (this.pos + n > this.end) throw new WasmDecodeError(`unexpected end of input at offset ${this.pos}`);
    this.pos += n;
  }

  /** Unsigned LEB128; returns a JS number (exact up to 2^53, enough for any index or size). */
  u32(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
      if (scale > 2 ** 63) throw new WasmDecodeError(`LEB128 too long at offset ${this.pos}`);
    }
  }

  /** Signed LEB128 of any width; only the sign of small values matters to callers. */
  sleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return b & 0x40 ? result - scale : result;
      if (scale > 2 ** 70) throw new WasmDecodeError(`LEB128 too long at offset ${this.pos}`);
    }
  }

  sub(length: number): WasmReader {
    if (this.pos + length > this.end) throw new WasmDecodeError(`section overruns the module at offset ${this.pos}`);
    const r = new WasmReader(this.bytes, this.pos + length);
    r.pos = this.pos;
    this.pos += length;
    return r;
  }

  /** A name: its length, then UTF-8. */
  name(): string {
    const length = this.u32();
    const start = this.pos;
    this.skip(length);
    return new TextDecoder().decode(this.bytes.subarray(start, start + length));
  }

  /** A value type, with the heap type of a `(ref ht)` / `(ref null ht)`. */
  valtype(): void {
    if (REF_WITH_HEAPTYPE.has(this.byte())) this.sleb();
  }

  /** Table or memory limits. */
  limits(): { min: number; max?: number } {
    const flags = this.byte();
    const min = this.u32();
    return flags & 0x01 ? { min, max: this.u32() } : { min };
  }
}

export const IMPORT_FUNCTION = 0x00;
export const IMPORT_GLOBAL = 0x03;
export const IMPORT_MEMORY = 0x02;
export const IMPORT_TAG = 0x04;

/** A reader past the module's header; throws when `bytes` is not a WebAssembly 1 binary. */
export function openModule(bytes: Uint8Array): WasmReader {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) {
    throw new WasmDecodeError("not a WebAssembly binary (bad magic or version)");
  }
  const reader = new WasmReader(bytes);
  reader.skip(8);
  return reader;
}

/** The first section of each id (custom sections skipped): a reader over its contents, by id. */
export function sections(bytes: Uint8Array): Map<number, WasmReader> {
  const found = new Map<number, WasmReader>();
  const module = openModule(bytes);
  while (!module.done) {
    const id = module.byte();
    const section = module.sub(module.u32());
    if (id !== 0 && !found.has(id)) found.set(id, section);
  }
  return found;
}

/** One entry of the import section, read past: its kind, and a memory's limits. */
export function readImport(r: WasmReader): { kind: number; limits?: { min: number; max?: number } } {
  r.name(); // module
  r.name(); // field
  const kind = r.byte();
  switch (kind) {
    case IMPORT_FUNCTION: r.u32(); return { kind }; // type index
    case 0x01: r.valtype(); r.limits(); return { kind }; // table
    case IMPORT_MEMORY: return { kind, limits: r.limits() };
    case IMPORT_GLOBAL: r.valtype(); r.byte(); return { kind }; // type, mutability
    case IMPORT_TAG: r.byte(); r.u32(); return { kind }; // attribute, type index
    default: throw new WasmDecodeError(`unknown import kind ${kind} at offset ${r.pos}`);
  }
}
