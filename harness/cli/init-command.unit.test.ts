// `wrh init` on folders laid out as users' projects are: what it writes, what it refuses, and
// that it never overwrites. (The end to end, `npx wrh init` then `npx vitest run` from the packed
// package, is harness/package/package.test.ts.)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { initProject } from "./init-command.ts";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project folder holding `files` (path → text). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "wrh-init-"));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Every file under `dir` with its text. */
function contents(dir: string): Record<string, string> {
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((path) => statSync(join(dir, path)).isFile());
  return Object.fromEntries(files.map((path) => [path, readFileSync(join(dir, path), "utf8")]));
}

async function init(dir: string, values: { worker?: string; profile?: string } = {}): Promise<string[]> {
  const lines: string[] = [];
  await initProject(dir, values, (line) => lines.push(line));
  return lines;
}

const BUILT = { "build/worker/shim.mjs": "export default {};\n" };
const PACKAGE = (manifest: object = {}) => ({ "package.json": `${JSON.stringify({ name: "my-worker", ...manifest }, null, 2)}\n` });

describe("wrh init", () => {
  it("in a built workers-rs folder without wrangler config or vitest config: one spec per fault kind, a config, a script", async () => {
    const dir = project({ ...BUILT, ...PACKAGE({ devDependencies: { vitest: "^4.1.0" } }) });
    const lines = await init(dir);
    expect(lines[0]).toMatch(/^worker: build\/ /);
    expect(readdirSync(join(dir, "recovery")).sort()).toEqual(["abort.recovery.ts", "js-error.recovery.ts", "oom.recovery.ts", "panic.recovery.ts"]);
    expect(readFileSync(join(dir, "recovery/panic.recovery.ts"), "utf8")).toContain(`await recoveryTests({ worker: "build", faults: ["panic"] });`);
    // A CommonJS package (no "type": "module") gets a config vitest loads as a module.
    expect(existsSync(join(dir, "vitest.config.ts"))).toBe(false);
    expect(readFileSync(join(dir, "vitest.config.mts"), "utf8")).toContain(`{ test: { name: "recovery", include: ["recovery/**/*.recovery.ts"] } }`);
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).scripts).toEqual({ "test:recovery": "vitest run --project recovery" });
    expect(lines.join("\n")).not.toContain("vitest is not a dependency");
  });

  it("adds the recovery project beside the user's projects, and never overwrites on a second run", async () => {
    const config = `export default defineConfig({\n  test: {\n    projects: [\n      { test: { name: "worker" } },\n    ],\n  },\n});\n`;
    const dir = project({ ...BUILT, ...PACKAGE({ type: "module" }), "vitest.config.ts": config, "recovery/panic.recovery.ts": "// mine\n" });
    const lines = await init(dir);
    expect(readFileSync(join(dir, "vitest.config.ts"), "utf8")).toBe(config.replace("projects: [\n", `projects: [\n      { test: { name: "recovery", include: ["recovery/**/*.recovery.ts"] } },\n`));
    expect(readFileSync(join(dir, "recovery/panic.recovery.ts"), "utf8")).toBe("// mine\n");
    expect(lines).toContain("recovery/panic.recovery.ts exists: left as it is");
    expect(lines).toContain("vitest is not a dependency here yet: npm install -D vitest@^4.1");

    const before = contents(dir);
    const again = await init(dir);
    expect(again.filter((line) => line.startsWith("wrote"))).toEqual([]);
    expect(again).toContain(`vitest.config.ts already has a "recovery" project`);
    expect(contents(dir)).toEqual(before);
  });

  it("leaves a config without a projects list alone and says the step left", async () => {
    const config = `export default { test: { include: ["test/**/*.spec.ts"] } };\n`;
    const dir = project({ ...BUILT, ...PACKAGE(), "vitest.config.ts": config });
    const lines = await init(dir);
    expect(readFileSync(join(dir, "vitest.config.ts"), "utf8")).toBe(config);
    expect(lines.some((line) => line.startsWith("one step left for you: vitest.config.ts has no test.projects list"))).toBe(true);
  });

  it("refuses, writing nothing, where there is no worker, no package.json, or an unreadable one", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [PACKAGE(), /^no wrangler\.toml, wrangler\.jsonc, wrangler\.json or build\/ here: run wrh init in your worker's folder, or pass --worker/],
      [{ ...BUILT }, /^no package\.json here: run `npm init -y`/],
      [{ ...BUILT, "package.json": "{ name: " }, /^package\.json: cannot read it: /],
    ];
    for (const [files, error] of cases) {
      const dir = project(files);
      const before = contents(dir);
      await expect(init(dir)).rejects.toThrow(error);
      expect(contents(dir)).toEqual(before);
    }
    await expect(init(project({ ...BUILT, ...PACKAGE() }), { worker: "nowhere.toml" })).rejects.toThrow("--worker nowhere.toml: no such file or directory");
  });
});
