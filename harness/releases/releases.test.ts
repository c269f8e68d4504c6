// A patched release point's crate, made with the real cargo from crates.io's sources: the fix's
// crate comes from its patched copy, everything else as the release locks it. Nothing is
// compiled (the matrix builds and judges the point: `wrh releases --only … --only …+fix-f9`).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BuildError } from "../build/build.ts";
import { lockedFromPath, lockedVersion } from "../build/real-tools.ts";
import { crateSource } from "./patches.ts";
import { pointSource, releasePoints, sourcePoint } from "./releases.ts";

describe("a patched release point", () => {
  it("puts the fix's crate into the build through [patch.crates-io], the rest as released", async () => {
    const point = releasePoints().find((p) => p.label === "fix-f9")!;
    const source = await pointSource(point, () => {});
    const lock = join(source.crateDir, "Cargo.lock");
    expect(lockedFromPath(lock, "js-sys")).toBe(true);
    expect(lockedFromPath(lock, "wasm-bindgen")).toBe(false);
    expect([lockedVersion(lock, "worker"), lockedVersion(lock, "wasm-bindgen")]).toEqual(["0.8.7", "0.2.130"]);
    expect(readFileSync(join(source.crateDir, "Cargo.toml"), "utf8")).toMatch(/^\[patch\.crates-io\]\njs-sys = \{ path = ".*\/patched\/js-sys" \}$/m);
    expect(readFileSync(join(source.crateDir, "..", "patched", "js-sys", "src", "futures", "queue.rs"), "utf8")).toContain("RescheduleOnUnwind");
    expect(source.distRoot).toMatch(/dist\/releases\/0\.8\.7\+0\.2\.130\+fix-f9$/);
  }, 180_000);

  it("stops with one line naming the patch when it does not apply to the locked version", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wrh-points-"));
    writeFileSync(join(dir, "stale.patch"), "--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,1 +1,1 @@\n-no such line in js-sys\n+x\n");
    const file = join(dir, "points.json");
    writeFileSync(file, JSON.stringify({ points: [{ worker: "0.8.7", workerBuild: "0.8.7", wasmBindgen: "0.2.130", esbuild: "0.28.2", why: "w", label: "stale", patches: [{ crate: "js-sys", file: "stale.patch" }] }] }));
    const error = await pointSource(releasePoints(file)[0]!, () => {}).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toMatch(/^0\.8\.7\+0\.2\.130\+stale: \/tmp\/.*\/stale\.patch does not apply to js-sys-0\.3\.107: error: patch failed: src\/lib\.rs:1$/);
  }, 180_000);

  it("builds a point from a workers-rs checkout: its worker family through [patch.crates-io], its own worker-build", async () => {
    // A checkout as a maintainer's branch lays it out, its crates the published 0.8.7 sources.
    const tree = mkdtempSync(join(tmpdir(), "wrh-workers-rs-"));
    for (const crate of ["worker", "worker-macros", "worker-sys", "worker-build"]) {
      cpSync(await crateSource(crate, "0.8.7"), join(tree, crate), { recursive: true });
    }
    const newest = releasePoints().filter((p) => !p.patches).at(-1)!;
    const point = sourcePoint({ worker: tree }, newest);
    expect(point).toMatchObject({ name: "0.8.7+0.2.130+source", base: "0.8.7+0.2.130", worker: "0.8.7", workerBuild: "0.8.7" });
    const source = await pointSource(point, () => {});
    const lock = join(source.crateDir, "Cargo.lock");
    for (const crate of ["worker", "worker-macros", "worker-sys"]) expect([crate, lockedFromPath(lock, crate)]).toEqual([crate, true]);
    expect(lockedFromPath(lock, "wasm-bindgen")).toBe(false);
    expect(source.toolSources).toEqual({ workerBuild: join(tree, "worker-build") });
    expect(() => sourcePoint({ worker: tmpdir() }, newest)).toThrow(/^--source worker=\/tmp: no worker crate at \/tmp\/worker; give the root of a workers-rs checkout$/);
  }, 180_000);
});
