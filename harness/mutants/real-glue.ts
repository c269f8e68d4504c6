// Mutants of the real workers-rs runtime: each puts one bug class back into what a real build
// ships (worker-build's shim and wasm-bindgen's glue, bundled and minified by esbuild into
// index.js, or the index_bg.wasm wasm-bindgen rewrote), so the catalog is shown to catch
// regressions of the real glue and not only of the reference runtime.
//
// A patch finds its site by structure, never by a minified name (those change with every
// rebuild): a regular expression whose captures pick up the names. A pattern that does not
// match exactly as often as it must is a harness error naming the mutant and the pattern,
// never an escape or a catch.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { REAL_ENTRY_FILE, REAL_WASM_FILE, type RealModeName, realDistDir } from "../build/real-build.ts";
import { IMPORT_GLOBAL, readImport, sections, WasmDecodeError, type WasmReader } from "../build/wasm-reader.ts";
import { DIST_DIR } from "../project.ts";

/** Where mutated copies of the real builds go: <root>/<mutant>/<mode>/, a distRoot for runMatrix. */
export const REAL_MUTANTS_DIR = join(DIST_DIR, "real-mutants");

/** The recovering real modes: real-legacy (--no-panic-recovery) ships none of this glue. */
export const MUTABLE_REAL_MODES = ["real-abort", "real-unwind", "real-unwind-exnref"] as const satisfies readonly RealModeName[];
export type MutableRealMode = (typeof MUTABLE_REAL_MODES)[number];

export class RealMutantPatchError extends Error {
  override name = "RealMutantPatchError";
}

interface JsPatch {
  file: typeof REAL_ENTRY_FILE;
  /** The site; its captures are the minified names the replacement reuses. */
  pattern: RegExp;
  replacement: string;
}

interface WasmPatch {
  file: typeof REAL_WASM_FILE;
  /** What the patch looks for, for error messages. */
  pattern: string;
  patch: (bytes: Uint8Array) => { bytes: Uint8Array<ArrayBuffer>; sites: number };
}

export interface RealMutant {
  name: string;
  /** The real bug class it reintroduces. */
  why: string;
  /** Where the code it edits exists. */
  modes: readonly MutableRealMode[];
  /** Scenarios tried first because they exercise the edited code; then the catalog in order. */
  likelyCatchers: readonly string[];
  edit: JsPatch | WasmPatch;
}

const ID = String.raw`[\w$]+`;

export const REAL_MUTANTS: readonly RealMutant[] = [
  {
    name: "shim-reinitialize-never-resets",
    // worker-build's checkReinitialize clears the critical flag and bumps instanceId but never
    // calls __wbg_reset_state: the reset its shim promises after a trap does not happen.
    why: "worker-build shim: checkReinitialize forgets the instance reset",
    modes: ["real-abort"],
    likelyCatchers: ["panic-with-siblings", "repeated-resets", "object-panic"],
    edit: {
      file: REAL_ENTRY_FILE,
      pattern: new RegExp(String.raw`console\.log\("Reinitializing Wasm application"\),${ID}\(\),`, "g"),
      replacement: `console.log("Reinitializing Wasm application"),`,
    },
  },
  {
    name: "shim-object-proxy-ignores-instance-id",
    // The Durable Object proxy keeps the object it built in a dead instance (workers-rs #866's
    // class): its wrapper points into the old memory and every later call fails as stale.
    why: "worker-build shim: the Durable Object proxy never rebuilds its object after a reset",
    modes: ["real-abort", "real-unwind", "real-unwind-exnref"],
    likelyCatchers: ["object-panic", "object-abort", "panic-with-siblings", "abort-with-siblings"],
    edit: {
      file: REAL_ENTRY_FILE,
      pattern: new RegExp(String.raw`get\((${ID}),(${ID}),(${ID})\)\{(return )?\1\.instanceId!==${ID}\.instanceId&&\(`, "g"),
      replacement: "get($1,$2,$3){$4!1&&(",
    },
  },
  {
    name: "glue-call-guard-skips-terminated",
    // __wbg_call_guard stops reading __instance_terminated: an entry into a terminated instance
    // is no longer refused ("Module terminated") unless a reinit happens to be scheduled.
    why: "wasm-bindgen glue: the call guard ignores the terminated flag",
    modes: ["real-abort", "real-unwind", "real-unwind-exnref"],
    likelyCatchers: ["abort-with-siblings", "reentrant-abort-swallowed", "panic-with-siblings"],
    edit: {
      file: REAL_ENTRY_FILE,
      pattern: new RegExp(String.raw`if\((${ID})\?\?=(${ID})\.__instance_terminated\.value\/4,${ID}\(\)\[\1\]\)`, "g"),
      replacement: "if($1??=$2.__instance_terminated.value/4,!1)",
    },
  },
  {
    name: "glue-handle-catch-all-recoverable",
    // __wbg_handle_catch rethrows a trap as if it were a wrapped JS error: the terminated flag
    // is never set and the abort hook never runs, so nothing schedules the reinit.
    why: "wasm-bindgen glue: __wbg_handle_catch treats every error as recoverable",
    modes: ["real-abort", "real-unwind", "real-unwind-exnref"],
    likelyCatchers: ["abort-with-siblings", "panic-with-siblings", "js-error-with-siblings"],
    edit: {
      file: REAL_ENTRY_FILE,
      pattern: new RegExp(String.raw`\?(${ID})\.getArg\((${ID}),0\):\(${ID}\(\)\[${ID}\]=1,${ID}\(\),(${ID})\)`, "g"),
      replacement: "?$1.getArg($2,0):$3",
    },
  },
  {
    name: "glue-abort-hook-twice",
    // __wbg_call_abort_hook no longer latches __wbg_called_abort, so the call guard runs the
    // hook again: once where the abort is caught and once more on the next entry.
    why: "wasm-bindgen glue: the abort hook is called twice",
    modes: ["real-abort", "real-unwind", "real-unwind-exnref"],
    likelyCatchers: ["abort-with-siblings", "repeated-resets"],
    edit: {
      file: REAL_ENTRY_FILE,
      pattern: new RegExp(String.raw`function (${ID})\(\)\{${ID}=!0;try\{let (${ID})=(${ID})\(\)\[(${ID})\.__abort_handler\.value\/4\]`, "g"),
      replacement: "function $1(){try{let $2=$3()[$4.__abort_handler.value/4]",
    },
  },
  {
    name: "glue-reset-keeps-memory-views",
    // __wbg_reset_state forgets to drop the cached typed-array views: after a reset the glue
    // reads and writes the dead instance's memory (strings, the terminated flag) instead of the new one.
    why: "wasm-bindgen glue: the reset keeps the old memory views",
    modes: ["real-abort", "real-unwind", "real-unwind-exnref"],
    likelyCatchers: ["panic-with-siblings", "abort-with-siblings", "repeated-resets"],
    edit: {
      file: REAL_ENTRY_FILE,
      pattern: new RegExp(String.raw`function (${ID})\(\)\{(${ID})\+\+,(?:${ID}=null,)+typeof numBytesDecoded`, "g"),
      replacement: "function $1(){$2++,typeof numBytesDecoded",
    },
  },
  {
    name: "glue-closure-ignores-instance",
    // makeMutClosure no longer refuses a closure of an earlier instance: a sibling's wake-up
    // runs its old function-table index and pointers in the new instance.
    why: "wasm-bindgen glue: a continuation of a dead instance runs in the new one",
    modes: ["real-abort", "real-unwind", "real-unwind-exnref"],
    likelyCatchers: ["panic-with-siblings", "abort-with-siblings", "object-panic"],
    edit: {
      file: REAL_ENTRY_FILE,
      pattern: new RegExp(String.raw`if\(${ID}\.instance!==${ID}\)throw new Error\("Cannot invoke closure from previous WASM instance"\);`, "g"),
      replacement: "",
    },
  },
  {
    name: "glue-stale-object-unchecked",
    // An exported Rust object (the canary's Note) no longer checks which instance made it: a
    // handle kept across a reset hands its old pointer to the new memory.
    why: "wasm-bindgen glue: a stale object from a previous instance is used",
    modes: ["real-abort", "real-unwind", "real-unwind-exnref"],
    likelyCatchers: ["panic-with-siblings", "abort-with-siblings", "repeated-resets"],
    edit: {
      file: REAL_ENTRY_FILE,
      pattern: new RegExp(String.raw`(text\(\)\{let ${ID},${ID};try\{)if\(this\.__wbg_inst!==void 0&&this\.__wbg_inst!==${ID}\)throw new Error\("Invalid stale object from previous Wasm instance"\);`, "g"),
      replacement: "$1",
    },
  },
  {
    name: "wasm-no-termination-guard",
    // wasm-bindgen's catch wrappers stop checking __instance_terminated after each import
    // returns, so Rust frames resume in a terminated instance when JS swallows an abort.
    why: "wasm-bindgen's .wasm transform: no termination guard after imports",
    modes: ["real-unwind", "real-unwind-exnref"],
    likelyCatchers: ["reentrant-abort-swallowed", "reentrant-abort-swallowed-at-depth-2", "abort-with-siblings"],
    edit: {
      file: REAL_WASM_FILE,
      pattern: "i32.const <__instance_terminated>; i32.load align=2; if; unreachable; else; end (in the code section)",
      patch: removeTerminationGuards,
    },
  },
];

/** The patched index.js text; throws when the site is not there exactly once, or the result does not parse. */
export function patchRealJs(mutant: RealMutant, text: string): string {
  const edit = mutant.edit;
  if (edit.file !== REAL_ENTRY_FILE) throw new RealMutantPatchError(`${mutant.name} edits ${edit.file}, not ${REAL_ENTRY_FILE}`);
  const sites = [...text.matchAll(edit.pattern)].length;
  if (sites !== 1) {
    throw new RealMutantPatchError(`${mutant.name}: pattern ${edit.pattern} matches ${sites} times in ${REAL_ENTRY_FILE}, not once`);
  }
  const patched = text.replace(edit.pattern, edit.replacement);
  if (patched === text) throw new RealMutantPatchError(`${mutant.name}: pattern ${edit.pattern} matched but the text did not change`);
  try {
    esbuild.transformSync(patched, { format: "esm", loader: "js" });
  } catch (error) {
    throw new RealMutantPatchError(`${mutant.name}: the patched ${REAL_ENTRY_FILE} does not parse: ${(error as Error).message.split("\n")[0]}`);
  }
  return patched;
}

/** The patched index_bg.wasm; throws when the patch finds nothing to change. */
export function patchRealWasm(mutant: RealMutant, bytes: Uint8Array): Uint8Array {
  const edit = mutant.edit;
  if (edit.file !== REAL_WASM_FILE) throw new RealMutantPatchError(`${mutant.name} edits ${edit.file}, not ${REAL_WASM_FILE}`);
  let result: { bytes: Uint8Array<ArrayBuffer>; sites: number };
  try {
    result = edit.patch(bytes);
  } catch (error) {
    if (!(error instanceof RealMutantPatchError || error instanceof WasmDecodeError)) throw error;
    throw new RealMutantPatchError(`${mutant.name}: cannot look for ${edit.pattern} in ${REAL_WASM_FILE}: ${error.message}`);
  }
  const { bytes: patched, sites } = result;
  if (sites === 0) throw new RealMutantPatchError(`${mutant.name}: no ${edit.pattern} in ${REAL_WASM_FILE}`);
  if (!WebAssembly.validate(patched)) throw new RealMutantPatchError(`${mutant.name}: the patched ${REAL_WASM_FILE} does not validate`);
  return patched;
}

/**
 * A copy of the real build of `mode` (from `sourceRoot`, dist/ by default) with the mutant
 * applied, under <REAL_MUTANTS_DIR>/<mutant>/<mode>/; returns the distRoot to run it from.
 */
export function prepareRealMutant(mutant: RealMutant, mode: MutableRealMode, sourceRoot = DIST_DIR): string {
  if (!mutant.modes.includes(mode)) throw new RealMutantPatchError(`${mutant.name} does not apply to ${mode}`);
  const source = realDistDir(mode, sourceRoot);
  if (!existsSync(join(source, REAL_ENTRY_FILE))) throw new RealMutantPatchError(`${mode} is not built in ${source}`);
  const root = join(REAL_MUTANTS_DIR, mutant.name);
  const target = realDistDir(mode, root);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(source, target, { recursive: true });
  const file = join(target, mutant.edit.file);
  if (mutant.edit.file === REAL_ENTRY_FILE) writeFileSync(file, patchRealJs(mutant, readFileSync(file, "utf8")));
  else writeFileSync(file, patchRealWasm(mutant, readFileSync(file)));
  return root;
}

// --- the .wasm patch -----------------------------------------------------------------------

function slebBytes(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const SECTION_IMPORT = 2;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const SECTION_CODE = 10;
const EXPORT_GLOBAL = 3;
const I32 = 0x7f;
const I32_CONST = 0x41;
const END = 0x0b;

/** The address in `__instance_terminated`: an exported, immutable i32 global set by `i32.const`. */
function terminatedAddress(all: Map<number, WasmReader>): number {
  const exports = all.get(SECTION_EXPORT);
  const globals = all.get(SECTION_GLOBAL);
  const imports = all.get(SECTION_IMPORT);
  if (!exports || !globals) throw new RealMutantPatchError("the module has no export or global section");
  let globalIndex: number | undefined;
  for (let i = 0, count = exports.u32(); i < count; i++) {
    const name = exports.name();
    const kind = exports.byte();
    const index = exports.u32();
    if (kind === EXPORT_GLOBAL && name === "__instance_terminated") globalIndex = index;
  }
  if (globalIndex === undefined) throw new RealMutantPatchError("the module exports no __instance_terminated global");
  // Imported globals come first in the index space; the glue of a real build imports none.
  if (imports) {
    for (let i = 0, count = imports.u32(); i < count; i++) {
      if (readImport(imports).kind === IMPORT_GLOBAL) throw new RealMutantPatchError("the module imports globals; the guard's address cannot be read");
    }
  }
  for (let i = 0, count = globals.u32(); i < count; i++) {
    if (globals.byte() !== I32) throw new RealMutantPatchError(`global ${i} is not an i32; the global section cannot be walked here`);
    globals.byte(); // mutability
    if (globals.byte() !== I32_CONST) throw new RealMutantPatchError(`global ${i} is not set by i32.const`);
    const value = globals.sleb();
    if (globals.byte() !== END) throw new RealMutantPatchError(`global ${i}'s initialiser is not a lone i32.const`);
    if (i === globalIndex) return value;
  }
  throw new RealMutantPatchError(`global ${globalIndex} is not in the global section`);
}

/**
 * Turns the `unreachable` of every termination guard wasm-bindgen emits after an import
 * (catch_handler.rs emit_termination_guard) into a `nop`: same length, so no offset moves.
 */
function removeTerminationGuards(bytes: Uint8Array): { bytes: Uint8Array<ArrayBuffer>; sites: number } {
  const all = sections(bytes);
  const code = all.get(SECTION_CODE);
  const address = terminatedAddress(all);
  if (!code) throw new RealMutantPatchError("the module has no code section");
  // i32.const addr; i32.load align=2 offset=0; if (empty); unreachable; else; end
  const guard = [0x41, ...slebBytes(address), 0x28, 0x02, 0x00, 0x04, 0x40, 0x00, 0x05, 0x0b];
  const unreachableAt = guard.indexOf(0x00, guard.length - 3);
  const patched = new Uint8Array(bytes);
  let sites = 0;
  for (let pos = code.pos; pos + guard.length <= code.end; pos++) {
    if (guard.every((b, i) => patched[pos + i] === b)) {
      patched[pos + unreachableAt] = 0x01;
      sites++;
      pos += guard.length - 1;
    }
  }
  return { bytes: patched, sites };
}
