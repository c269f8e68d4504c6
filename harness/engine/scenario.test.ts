import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, loadScenarios } from "./load-scenarios.ts";
import { ScenarioError, validateScenario } from "./scenario.ts";

const good = {
  name: "panic-with-siblings",
  description: "a panic with siblings parked",
  fault: { kind: "panic", place: "handler" },
  workload: { inflight: { handler: 2 }, later: { handler: 2 } },
  expect: { unwind: { fault: ["PanicError"], reset: false, inflight: "survive", later: "succeed" } },
};

function errorFor(mutate: (s: any) => void): string {
  const scenario = structuredClone(good);
  mutate(scenario);
  try {
    validateScenario(scenario, "scenarios/x.scenarios.ts[0]");
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    const message = (error as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    return message;
  }
  throw new Error("the scenario was accepted");
}

describe("scenario validation", () => {
  it("accepts a well-formed scenario", () => {
    expect(validateScenario(good, "x").name).toBe("panic-with-siblings");
  });

  it.each([
    ["an unknown fault kind", (s: any) => { s.fault.kind = "panik"; }, /fault\.kind: "panik" is not one of .* \(did you mean "panic"\?\)/],
    ["a misspelt field", (s: any) => { s.workload.inflght = s.workload.inflight; }, /workload\.inflght: unknown field \(did you mean "inflight"\?\)/],
    ["a fault its place cannot produce", (s: any) => { s.fault = { kind: "oom", place: "async" }; }, /fault: a oom cannot be placed in async; there it can be panic/],
    ["a PanicError under reset", (s: any) => { s.expect.reset = { fault: ["PanicError"], reset: true, inflight: "fail-fast", later: "succeed" }; }, /expect\.reset\.fault: PanicError is impossible under reset/],
    ["a reset under none", (s: any) => { s.expect.none = { fault: ["Abort"], reset: true, inflight: "poisoned", later: "poisoned" }; }, /expect\.none: strategy none never resets/],
    ["fail-fast without a reset", (s: any) => { s.expect.unwind.inflight = "fail-fast"; }, /expect\.unwind\.inflight: fail-fast needs a reset/],
    ["a missing expectation field", (s: any) => { delete s.expect.unwind.later; }, /expect\.unwind\.later: is required/],
    ["a re-entrant level beyond the depth", (s: any) => { s.fault = { kind: "abort", place: "reentrant", depth: 3, at: 5 }; }, /fault\.at: must be an integer from 1 to 3/],
  ])("rejects %s in one line naming file, scenario and field", (_, mutate, message) => {
    const error = errorFor(mutate);
    expect(error).toMatch(/^scenarios\/x\.scenarios\.ts\[0\]: scenario "panic-with-siblings": /);
    expect(error).toMatch(message);
  });

  it("names the file when a scenario file does not export a list", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wrh-scenarios-"));
    const file = join(dir, "broken.scenarios.ts");
    writeFileSync(file, "export default { name: 'not-a-list' };\n");
    await expect(loadScenarioFile(file)).rejects.toThrow(/broken\.scenarios\.ts: must default-export an array of scenarios/);
  });

  it("loads the catalog, every name unique", async () => {
    const scenarios = await loadScenarios();
    expect(scenarios.length).toBeGreaterThanOrEqual(12);
    expect(new Set(scenarios.map((s) => s.name)).size).toBe(scenarios.length);
  });
});
