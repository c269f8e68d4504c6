// Release points as data: a points file is checked entry by entry before anything is built, and a
// patch either applies exactly or stops the point with one line. No cargo, no network.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cargoPatchSection, patchedCopy } from "./patches.ts";
import { POINTS_FILE, releasePoints } from "./releases.ts";

const base = { worker: "0.8.7", workerBuild: "0.8.7", wasmBindgen: "0.2.130", esbuild: "0.28.2", why: "w" };

function pointsFile(points: unknown[], files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "wrh-points-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const file = join(dir, "points.json");
  writeFileSync(file, JSON.stringify({ points }));
  return file;
}

const PATCH = `--- a/src/lib.rs
+++ b/src/lib.rs
@@ -1,3 +1,3 @@
 fn a() {}
-fn b() {}
+fn b() { fixed() }
 fn c() {}
`;

describe("release points", () => {
  it("reads the built-in list: unpatched points by version, a patched one named by its label after its base", () => {
    const points = releasePoints(POINTS_FILE);
    expect(points.filter((p) => !p.patches).at(-1)!.name).toBe("0.8.7+0.2.130");
    const fix = points.find((p) => p.label === "fix-f9")!;
    expect(fix).toMatchObject({ name: "0.8.7+0.2.130+fix-f9", base: "0.8.7+0.2.130", patches: [{ crate: "js-sys" }] });
    expect(readFileSync(fix.patches![0]!.file, "utf8")).toMatch(/^--- a\/src\/futures\/queue\.rs$/m);
  });

  it("resolves a patch file against the points file's folder", () => {
    const file = pointsFile([base, { ...base, label: "fix-x", patches: [{ crate: "worker", file: "x.patch" }] }], { "x.patch": PATCH });
    expect(releasePoints(file)[1]!.patches![0]!.file).toBe(join(file, "..", "x.patch"));
  });

  it.each([
    [[{ ...base, worker: 7 }], /points\[0\]\.worker: must be a version/],
    [[{ ...base, label: "fix-x" }], /points\[0\]\.label: only a patched point has a label; add its patches/],
    [[{ ...base, patches: [{ crate: "worker", file: "x.patch" }] }], /points\[0\]\.label: a patched point needs a kebab-case label/],
    [[{ ...base, label: "fix-x", patches: [{ crate: "serde", file: "x.patch" }] }], /patches\[0\]\.crate: "serde" cannot be patched; one of worker, /],
    [[{ ...base, label: "fix-x", patches: [{ crate: "worker", file: "missing.patch" }] }], /patches\[0\]\.file: missing\.patch does not exist \(paths are relative to /],
    [[base, base], /two points are named 0\.8\.7\+0\.2\.130/],
    [[], /needs "points": a list of release points/],
  ])("refuses a malformed points file with one line (%#)", (points, message) => {
    const file = pointsFile(points, { "x.patch": PATCH });
    expect(() => releasePoints(file)).toThrow(message);
  });

  it("applies a patch to a copy, exactly, and refuses one that does not apply", () => {
    const crate = mkdtempSync(join(tmpdir(), "wrh-crate-src-"));
    mkdirSync(join(crate, "src"));
    writeFileSync(join(crate, "src", "lib.rs"), "fn a() {}\nfn b() {}\nfn c() {}\n");
    const patch = join(crate, "..", `${crate.split("/").at(-1)}.patch`);
    writeFileSync(patch, PATCH);
    const dest = join(mkdtempSync(join(tmpdir(), "wrh-patched-")), "worker");
    patchedCopy(crate, dest, patch, "fix-x");
    expect(readFileSync(join(dest, "src", "lib.rs"), "utf8")).toBe("fn a() {}\nfn b() { fixed() }\nfn c() {}\n");
    expect(readFileSync(join(crate, "src", "lib.rs"), "utf8")).toBe("fn a() {}\nfn b() {}\nfn c() {}\n");
    writeFileSync(join(crate, "src", "lib.rs"), "fn a() {}\nfn z() {}\nfn c() {}\n");
    expect(() => patchedCopy(crate, dest, patch, "fix-x")).toThrow(/^fix-x: .*\.patch does not apply to wrh-crate-src-\w+: error: patch failed: src\/lib\.rs:1$/);
  });

  it("writes the [patch.crates-io] section cargo reads, and nothing without libraries", () => {
    expect(cargoPatchSection({ "js-sys": "/p/js-sys" })).toBe('\n[patch.crates-io]\njs-sys = { path = "/p/js-sys" }\n');
    expect(cargoPatchSection({})).toBe("");
  });
});
