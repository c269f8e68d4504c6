// Loads scenario files (`*.scenarios.ts`, default-exporting an array of scenarios) and
// validates every entry, so a mistake is one line naming the file, the scenario and the field.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../project.ts";
import { type Scenario, ScenarioError, validateScenario } from "./scenario.ts";

export const SCENARIO_DIR = join(PROJECT_ROOT, "scenarios");
const SCENARIO_FILE = /\.scenarios\.ts$/;

export async function loadScenarioFile(path: string): Promise<Scenario[]> {
  const where = relative(PROJECT_ROOT, path) || path;
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(path).href);
  } catch (error) {
    throw new ScenarioError(`${where}: cannot load: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!Array.isArray(module.default)) throw new ScenarioError(`${where}: must default-export an array of scenarios`);
  return module.default.map((value, index) => validateScenario(value, `${where}[${index}]`));
}

/** Every scenario in `files` (default: the scenarios/ folder), names unique across files. */
export async function loadScenarios(files?: readonly string[]): Promise<Scenario[]> {
  const paths = files ?? readdirSync(SCENARIO_DIR).filter((f) => SCENARIO_FILE.test(f)).sort().map((f) => join(SCENARIO_DIR, f));
  const scenarios: Scenario[] = [];
  for (const path of paths) {
    for (const scenario of await loadScenarioFile(path)) {
      if (scenarios.some((s) => s.name === scenario.name)) {
        throw new ScenarioError(`${relative(PROJECT_ROOT, path)}: scenario "${scenario.name}": name: already used by another scenario`);
      }
      scenarios.push(scenario);
    }
  }
  return scenarios;
}
