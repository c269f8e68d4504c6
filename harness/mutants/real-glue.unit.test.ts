// The real-glue mutants' patches on the real builds in dist/ (skipped where a mode is not
// built): each finds its site exactly once and changes it; a missing site is an error naming
// the mutant and its pattern, so a mutant that does not apply is never counted as an escape.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REAL_ENTRY_FILE, REAL_WASM_FILE, realDistDir } from "../build/real-build.ts";
import { MUTABLE_REAL_MODES, REAL_MUTANTS, RealMutantPatchError, patchRealJs, patchRealWasm } from "./real-glue.ts";

const built = (mode: string, file: string) => existsSync(join(realDistDir(mode), file));
const read = (mode: string, file: string) => readFileSync(join(realDistDir(mode), file));

const cases = REAL_MUTANTS.flatMap((m) => m.modes.map((mode) => ({ mutant: m, mode, label: `${m.name} on ${mode}` })));

describe("real-glue mutants", () => {
  it("have unique names and apply to the recovering modes only", () => {
    expect(new Set(REAL_MUTANTS.map((m) => m.name)).size).toBe(REAL_MUTANTS.length);
    for (const m of REAL_MUTANTS) for (const mode of m.modes) expect(MUTABLE_REAL_MODES).toContain(mode);
  });

  it.each(cases)("$label: applies exactly once and changes the build", ({ mutant, mode }) => {
    if (!built(mode, mutant.edit.file)) return;
    if (mutant.edit.file === REAL_ENTRY_FILE) {
      const text = read(mode, REAL_ENTRY_FILE).toString("utf8");
      const patched = patchRealJs(mutant, text);
      expect(patched).not.toBe(text);
      expect(patched.length).toBeLessThan(text.length);
      // Once means once: the mutated text no longer has the site.
      expect(() => patchRealJs(mutant, patched)).toThrow(RealMutantPatchError);
    } else {
      const bytes = new Uint8Array(read(mode, REAL_WASM_FILE));
      const patched = patchRealWasm(mutant, bytes);
      expect(patched.length).toBe(bytes.length);
      expect(Buffer.compare(Buffer.from(patched), Buffer.from(bytes))).not.toBe(0);
      expect(() => patchRealWasm(mutant, patched)).toThrow(/no i32.const <__instance_terminated>/);
    }
  });

  it.each(cases)("$label: a build without the site is an error naming the mutant and the pattern", ({ mutant }) => {
    if (mutant.edit.file === REAL_ENTRY_FILE) {
      expect(() => patchRealJs(mutant, "export default {};")).toThrow(new RegExp(`^${mutant.name}: pattern .+ matches 0 times`));
    } else {
      // The smallest valid module: no export of __instance_terminated to find.
      expect(() => patchRealWasm(mutant, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toThrow(new RegExp(`^${mutant.name}: cannot look for i32.const <__instance_terminated>`));
    }
  });

  it("a JS patch whose result does not parse is an error, not a mutant", () => {
    const mutant = REAL_MUTANTS.find((m) => m.name === "glue-closure-ignores-instance")!;
    const broken = `function f(){if(n.instance!==s)throw new Error("Cannot invoke closure from previous WASM instance");`;
    expect(() => patchRealJs(mutant, broken)).toThrow(/does not parse/);
  });

  it("a site found twice is an error: the mutant would be ambiguous", () => {
    const mutant = REAL_MUTANTS.find((m) => m.name === "glue-closure-ignores-instance")!;
    const site = `if(n.instance!==s)throw new Error("Cannot invoke closure from previous WASM instance");`;
    expect(() => patchRealJs(mutant, site + site)).toThrow(/matches 2 times/);
  });
});
