// Reads what the build must guarantee out of a WebAssembly binary: which exception-handling
// instructions it contains (by decoding every instruction of every function body; decoding,
// rather than scanning bytes, is what makes the count trustworthy: 0x06 is `try` only in
// opcode position) and the limits of its linear memory.
//
// Legacy encoding: try, catch, catch_all, rethrow, delegate (and throw).
// exnref encoding: try_table, throw_ref (and throw).
import type { EhEncoding } from "./variants.ts";
import { IMPORT_MEMORY, IMPORT_TAG, openModule, readImport, WasmDecodeError, WasmReader } from "./wasm-reader.ts";

export interface ExceptionCensus {
  /** Instruction name → number of occurrences, for the EH instructions only. */
  instructions: Record<EhInstruction, number>;
  /** Entries in the tag section (exception tags defined by the module). */
  tagsDefined: number;
  /** Tags the module imports. */
  tagsImported: number;
  functionsDecoded: number;
}

export interface MemoryLimits {
  /** In 64 KiB pages. */
  minPages: number;
  /** In 64 KiB pages; undefined when the module sets no maximum. */
  maxPages?: number;
  imported: boolean;
}

export interface WasmInspection {
  exceptions: ExceptionCensus;
  /** The module's first (for Rust, only) memory; undefined if it has none. */
  memory?: MemoryLimits;
}

export type EhInstruction =
  | "try" | "catch" | "catch_all" | "rethrow" | "delegate" | "throw" | "try_table" | "throw_ref";

const LEGACY_ONLY: readonly EhInstruction[] = ["try", "catch", "catch_all", "rethrow", "delegate"];
const EXNREF_ONLY: readonly EhInstruction[] = ["try_table", "throw_ref"];

/** Which encoding a census shows; "mixed" means both, which no single rustc build emits. */
export function ehEncodingOf(census: ExceptionCensus): EhEncoding | "mixed" {
  const has = (names: readonly EhInstruction[]) => names.some((n) => census.instructions[n] > 0);
  const legacy = has(LEGACY_ONLY);
  const exnref = has(EXNREF_ONLY);
  if (legacy && exnref) return "mixed";
  if (legacy) return "legacy";
  if (exnref) return "exnref";
  return "none";
}

function blocktype(r: WasmReader): void {
  // s33: empty (0x40), a one-byte value type, or a type index.
  const first = r.sleb();
  if (first === 0x63 - 0x80 || first === 0x64 - 0x80) r.sleb();
}

function memarg(r: WasmReader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // memory index (multi-memory)
  r.u32(); // offset
}

function decodeFC(r: WasmReader): void {
  const op = r.u32();
  if (op <= 7) return; // saturating truncations
  switch (op) {
    case 8: r.u32(); r.u32(); return; // memory.init data mem
    case 9: r.u32(); return; // data.drop
    case 10: r.u32(); r.u32(); return; // memory.copy
    case 11: r.u32(); return; // memory.fill
    case 12: r.u32(); r.u32(); return; // table.init
    case 13: r.u32(); return; // elem.drop
    case 14: r.u32(); r.u32(); return; // table.copy
    case 15: case 16: case 17: r.u32(); return; // table.grow/size/fill
    default: throw new WasmDecodeError(`unknown 0xFC opcode ${op} at offset ${r.pos}`);
  }
}

function decodeSimd(r: WasmReader): void {
  const op = r.u32();
  if (op <= 11 || op === 92 || op === 93) return memarg(r); // loads, stores, load_zero
  if (op === 12 || op === 13) return r.skip(16); // v128.const, i8x16.shuffle
  if (op >= 21 && op <= 34) return r.skip(1); // extract/replace lane
  if (op >= 84 && op <= 91) { memarg(r); r.skip(1); return; } // load/store lane
  if (op > 0x113) throw new WasmDecodeError(`unknown SIMD opcode ${op} at offset ${r.pos}`);
}

function decodeAtomic(r: WasmReader): void {
  const op = r.u32();
  if (op === 3) return r.skip(1); // atomic.fence
  memarg(r);
}

type Counts = Record<EhInstruction, number>;

function decodeBody(r: WasmReader, counts: Counts): void {
  const localGroups = r.u32();
  for (let i = 0; i < localGroups; i++) {
    r.u32();
    r.valtype();
  }
  while (!r.done) {
    const at = r.pos;
    const op = r.byte();
    switch (op) {
      case 0x02: case 0x03: case 0x04: blocktype(r); break;
      case 0x06: counts.try++; blocktype(r); break;
      case 0x07: counts.catch++; r.u32(); break;
      case 0x08: counts.throw++; r.u32(); break;
      case 0x09: counts.rethrow++; r.u32(); break;
      case 0x0a: counts.throw_ref++; break;
      case 0x18: counts.delegate++; r.u32(); break;
      case 0x19: counts.catch_all++; break;
      case 0x1f: {
        counts.try_table++;
        blocktype(r);
        const clauses = r.u32();
        for (let i = 0; i < clauses; i++) {
          const kind = r.byte();
          if (kind === 0x00 || kind === 0x01) r.u32(); // tag of catch / catch_ref
          else if (kind !== 0x02 && kind !== 0x03) throw new WasmDecodeError(`bad try_table catch kind ${kind} at offset ${r.pos}`);
          r.u32(); // label
        }
        break;
      }
      case 0x0c: case 0x0d: case 0x10: case 0x12: case 0x14: case 0x15: case 0xd4: case 0xd6: r.u32(); break;
      case 0x0e: {
        const n = r.u32();
        for (let i = 0; i <= n; i++) r.u32();
        break;
      }
      case 0x11: case 0x13: r.u32(); r.u32(); break;
      case 0x1c: {
        const n = r.u32();
        for (let i = 0; i < n; i++) r.valtype();
        break;
      }
      case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: case 0xd2: r.u32(); break;
      case 0x3f: case 0x40: r.u32(); break;
      case 0x41: case 0x42: r.sleb(); break;
      case 0x43: r.skip(4); break;
      case 0x44: r.skip(8); break;
      case 0xd0: r.sleb(); break;
      case 0xfc: decodeFC(r); break;
      case 0xfd: decodeSimd(r); break;
      case 0xfe: decodeAtomic(r); break;
      default:
        if (op >= 0x28 && op <= 0x3e) memarg(r);
        else if (
          op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0b || op === 0x0f ||
          op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4) || op === 0xd1 || op === 0xd3
        ) {
          // no immediates
        } else {
          throw new WasmDecodeError(`unknown opcode 0x${op.toString(16)} at offset ${at}`);
        }
    }
  }
}

function readImports(r: WasmReader, found: WasmInspection): void {
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const entry = readImport(r);
    if (entry.kind === IMPORT_MEMORY) found.memory ??= { minPages: entry.limits!.min, maxPages: entry.limits!.max, imported: true };
    else if (entry.kind === IMPORT_TAG) found.exceptions.tagsImported++;
  }
}

function memoryLimits(r: WasmReader, imported: boolean): MemoryLimits {
  const { min, max } = r.limits();
  return { minPages: min, maxPages: max, imported };
}

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const SECTION_CODE = 10;
const SECTION_TAG = 13;

/** Decodes `bytes`: its exception-handling instructions and tags, and its memory limits. */
export function inspectWasm(bytes: Uint8Array): WasmInspection {
  const instructions: Counts = {
    try: 0, catch: 0, catch_all: 0, rethrow: 0, delegate: 0, throw: 0, try_table: 0, throw_ref: 0,
  };
  const found: WasmInspection = {
    exceptions: { instructions, tagsDefined: 0, tagsImported: 0, functionsDecoded: 0 },
  };
  const module = openModule(bytes);
  while (!module.done) {
    const id = module.byte();
    const section = module.sub(module.u32());
    if (id === SECTION_IMPORT) readImports(section, found);
    else if (id === SECTION_MEMORY) {
      if (section.u32() > 0) found.memory ??= memoryLimits(section, false);
    } else if (id === SECTION_TAG) found.exceptions.tagsDefined = section.u32();
    else if (id === SECTION_CODE) {
      const bodies = section.u32();
      for (let i = 0; i < bodies; i++) {
        decodeBody(section.sub(section.u32()), instructions);
        found.exceptions.functionsDecoded++;
      }
      if (!section.done) throw new WasmDecodeError("code section has trailing bytes");
    }
  }
  return found;
}
