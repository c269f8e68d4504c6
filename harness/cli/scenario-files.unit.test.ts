// Users' scenarios: defineScenario, JSON scenario files, --scenario-file adding to the built-in
// catalog and --only-file leaving it out. No worker runs. The same from an installed package,
// with a scenario file that imports it by name, is harness/package/package.test.ts.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defineScenario, resets } from "../engine/define-scenario.ts";
import { loadScenarios } from "../engine/load-scenarios.ts";
import { ScenarioError } from "../engine/scenario.ts";
import { main } from "./commands.ts";
import { wrh } from "../testing/spawn-wrh.ts";

const JSON_SCENARIO = {
  name: "json-abort", description: "an abort, from JSON", fault: { kind: "abort", place: "handler" }, workload: { inflight: { handler: 2 } },
  expect: { reset: { fault: ["Abort"], reset: true, inflight: "fail-fast", later: "succeed" } },
};

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "wrh-scenarios-")), name);
  writeFileSync(path, text);
  return path;
}

describe("defineScenario", () => {
  it("returns the scenario validated, defaults filled in", () => {
    const scenario = defineScenario({
      name: "mine", description: "d", fault: { kind: "panic", place: "reentrant" }, workload: {}, expect: { reset: resets(["Abort"]) },
    });
    expect(scenario.fault).toEqual({ kind: "panic", place: "reentrant", depth: 3, at: 3, swallow: false });
  });

  it("throws one line naming the scenario and the field", () => {
    const bad = { name: "mine", description: "d", fault: { kind: "panic", place: "handler" }, workload: {}, expect: { reset: { ...resets(["Abort"]), latr: "x" } } };
    expect(() => defineScenario(bad as never)).toThrow(ScenarioError);
    expect(() => defineScenario(bad as never)).toThrow(/^defineScenario: scenario "mine": expect\.reset\.latr: unknown field \(did you mean "later"\?\); known: fault, reset, inflight, later$/);
  });
});

describe("scenario files", () => {
  it("--scenario-file adds to the built-in catalog; --only-file leaves the catalog out", async () => {
    const path = file("more.scenarios.json", JSON.stringify([JSON_SCENARIO]));
    const withCatalog = (await loadScenarios([path])).map((s) => s.name);
    expect(withCatalog).toContain("panic-with-siblings");
    expect(withCatalog.at(-1)).toBe("json-abort");
    expect((await loadScenarios([path], { catalog: false })).map((s) => s.name)).toEqual(["json-abort"]);
  });

  it("a name the catalog already uses is refused", async () => {
    const path = file("clash.scenarios.json", JSON.stringify([{ ...JSON_SCENARIO, name: "panic-with-siblings" }]));
    await expect(loadScenarios([path])).rejects.toThrow(/clash\.scenarios\.json: scenario "panic-with-siblings": name: already used by another scenario/);
  });

  it("a JSON syntax error names its line; JSON that is not an array says what it must hold", async () => {
    const broken = file("broken.scenarios.json", `[\n  {\n    "name": "x",\n  }\n]\n`);
    await expect(loadScenarios([broken], { catalog: false })).rejects.toThrow(/broken\.scenarios\.json:4: cannot load: /);
    const object = file("object.scenarios.json", JSON.stringify(JSON_SCENARIO));
    await expect(loadScenarios([object], { catalog: false })).rejects.toThrow(/object\.scenarios\.json: must hold an array of scenarios/);
  });

  it("--only-file without --scenario-file is bad input", async () => {
    await expect(main(["list", "--only-file"])).rejects.toThrow(/--only-file needs --scenario-file/);
  });

  it("a .ts scenario file Node reads as CommonJS gets told how to make it a module", () => {
    const dir = mkdtempSync(join(tmpdir(), "wrh-commonjs-"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "commonjs" }));
    writeFileSync(join(dir, "mine.scenarios.ts"), `import { join } from "node:path";\nexport default [join];\n`);
    const { status, stderr } = wrh("list", "--only-file", "--scenario-file", join(dir, "mine.scenarios.ts"));
    expect(status).toBe(2);
    expect(stderr).toMatch(/mine\.scenarios\.ts:1: cannot load: .*\(Node read it as CommonJS: name it \.mts, or set "type": "module" in your package\.json\)/);
  });
});
