// `wrh init` on folders laid out as users' projects are: what it writes, what it refuses, and
// that it never overwrites. (The end to end, `npx wrh init` then `npx vitest run` from the packed
// package, is harness/package/package.test.ts.)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../project.ts";
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

/**
 * The tests `vitest list` finds in `dir` (run from `cwd`, default `dir`), as `project › file`:
 * with this repository's node_modules linked at `dir`, as an installed project would have them.
 */
function listed(dir: string, cwd = dir): string[] {
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
  const result = spawnSync(process.execPath, [join(PROJECT_ROOT, "node_modules/vitest/vitest.mjs"), "list", "--filesOnly"], { cwd, encoding: "utf8", timeout: 60_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim().split("\n").map((line) => line.replace(/^\[(.*)\] (.*)$/, "$1 › $2")).sort();
}

const OWN_TEST = { "tests/panic.spec.ts": `import { expect, it } from "vitest";\nit("is the project's own", () => expect(1).toBe(1));\n` };
const SPEC = `import { recoveryTests } from "workers-recovery-harness/vitest";`;

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
  it("in a built workers-rs folder without a vitest config: one spec per fault kind, a config that keeps the project's tests, a script", async () => {
    const dir = project({ ...BUILT, ...PACKAGE({ devDependencies: { vitest: "^4.1.0" } }), ...OWN_TEST });
    const lines = await init(dir);
    expect(lines[0]).toMatch(/^worker: build\/ /);
    expect(readdirSync(join(dir, "recovery")).sort()).toEqual(["abort.recovery.ts", "js-error.recovery.ts", "oom.recovery.ts", "panic.recovery.ts"]);
    expect(readFileSync(join(dir, "recovery/panic.recovery.ts"), "utf8")).toContain(`await recoveryTests({ worker: "build", faults: ["panic"] });`);
    // A CommonJS package (no "type": "module") gets a config vitest loads as a module.
    expect(existsSync(join(dir, "vitest.config.ts"))).toBe(false);
    expect(readFileSync(join(dir, "vitest.config.mts"), "utf8")).toContain(`{ test: { name: "recovery", include: ["recovery/**/*.recovery.ts"] } }`);
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).scripts).toEqual({ "test:recovery": "vitest run --project recovery" });
    // Not installed in a bare folder: the install it suggests works as printed (no registry package named).
    expect(lines).toContain("vitest is not installed here yet: npm install -D vitest@^4.1");
    expect(lines.find((line) => line.startsWith("workers-recovery-harness is not installed here yet"))).toMatch(/not on the npm registry yet: in a clone of it, `npm pack`/);
    // Before: the config held only the recovery project, and the project's own tests stopped running.
    rmSync(join(dir, "recovery"), { recursive: true });
    expect(listed(dir)).toEqual(["tests › tests/panic.spec.ts"]);
  }, 60_000);

  it("adds the recovery project beside the user's projects, and never overwrites on a second run", async () => {
    const config = `export default defineConfig({\n  test: {\n    projects: [\n      { test: { name: "worker" } },\n    ],\n  },\n});\n`;
    const dir = project({ ...BUILT, ...PACKAGE({ type: "module" }), "vitest.config.ts": config, "recovery/panic.recovery.ts": "// mine\n" });
    const lines = await init(dir);
    expect(readFileSync(join(dir, "vitest.config.ts"), "utf8")).toBe(config.replace("projects: [\n", `projects: [\n      { test: { name: "recovery", include: ["recovery/**/*.recovery.ts"] } },\n`));
    expect(readFileSync(join(dir, "recovery/panic.recovery.ts"), "utf8")).toBe("// mine\n");
    expect(lines).toContain("recovery/panic.recovery.ts exists: left as it is");

    const before = contents(dir);
    const again = await init(dir);
    expect(again.filter((line) => line.startsWith("wrote"))).toEqual([]);
    expect(again).toContain(`vitest.config.ts already has a "recovery" project`);
    expect(contents(dir)).toEqual(before);
  });

  it("turns a config without projects into the project's tests, with their options, beside the recovery project", async () => {
    const config = `import { defineConfig } from "vitest/config";\nexport default defineConfig({ test: { include: ["tests/**/*.spec.ts"] } });\n`;
    const dir = project({ ...BUILT, ...PACKAGE({ type: "module" }), "vitest.config.ts": config, ...OWN_TEST, "tests/not-included.test.ts": "" });
    const lines = await init(dir);
    expect(lines.find((line) => line.startsWith("wrote vitest.config.ts"))).toMatch(/your tests as project "tests" \(with the options they had\)/);
    expect(readFileSync(join(dir, "vitest.config.ts"), "utf8")).toContain(`projects: [{ extends: true, test: { name: "tests" } }, { test: { name: "recovery"`);
    const specs = readdirSync(join(dir, "recovery")).map((file) => `recovery › recovery/${file}`);
    expect(listed(dir)).toEqual([...specs, "tests › tests/panic.spec.ts"].sort());
  }, 60_000);

  it("leaves a config with no test options alone and says the step left", async () => {
    const config = `export default { plugins: [] };\n`;
    const dir = project({ ...BUILT, ...PACKAGE(), "vitest.config.ts": config });
    const lines = await init(dir);
    expect(readFileSync(join(dir, "vitest.config.ts"), "utf8")).toBe(config);
    expect(lines.some((line) => line.startsWith("one step left for you: vitest.config.ts has no test options to add projects to"))).toBe(true);
  });

  // workers-rs's own layout: package.json and node_modules at the repository's root, the test
  // worker with its wrangler.toml and tests/*.spec.ts (no vitest config) in test/.
  it("in a monorepo, uses the package.json and node_modules up the tree: no second install", async () => {
    const root = project({ ...PACKAGE({ devDependencies: { vitest: "^4.1.11" } }), "test/wrangler.toml": `name = "t"\nmain = "build/worker/shim.mjs"\ncompatibility_date = "2025-09-23"\n`, "test/build/worker/shim.mjs": "export default {};\n", ...Object.fromEntries(Object.entries(OWN_TEST).map(([path, text]) => [`test/${path}`, text])) });
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(root, "node_modules"));
    const lines = await init(join(root, "test"));
    expect(existsSync(join(root, "test/package.json"))).toBe(false);
    expect(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts).toEqual({ "test:recovery": "cd test && vitest run --project recovery" });
    expect(lines.some((line) => line.startsWith("vitest is not installed"))).toBe(false);
    expect(readFileSync(join(root, "test/recovery/panic.recovery.ts"), "utf8")).toContain(SPEC);
    rmSync(join(root, "test/recovery"), { recursive: true });
    expect(listed(root, join(root, "test"))).toEqual(["tests › tests/panic.spec.ts"]);
  }, 60_000);

  it("refuses, writing nothing, where there is no worker, no package.json, or an unreadable one", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [PACKAGE(), /^no wrangler\.toml, wrangler\.jsonc, wrangler\.json or build\/ here: run wrh init in your worker's folder, or pass --worker/],
      [{ ...BUILT }, /^no package\.json here or above: run `npm init -y` and `npm install -D vitest@\^4\.1` first; workers-recovery-harness is not on the npm registry yet/],
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
