// Loads scenario files (`*.scenarios.ts`, default-exporting an array of scenarios) and
// validates every entry, so a mistake is one line naming the file, the scenario and the field.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../project.ts";
import { type Scenario, ScenarioError, validateScenario } from "./scenario.ts";

export const SCENARIO_DIR = join(PROJECT_ROOT, "scenarios");
const SCENARIO_FILE = /\.scenarios\.ts$/;

/**
 * The line of `path` an import error points at: a syntax error's stack starts with
 * `<path>:<line>`, an exception thrown while the module ran has a frame `<url>:<line>:<column>`.
 */
function lineOf(error: unknown, path: string): number | undefined {
  const stack = error instanceof Error ? error.stack ?? "" : "";
  for (const name of [path, pathToFileURL(path).href]) {
    const at = stack.indexOf(`${name}:`);
    const line = at < 0 ? undefined : /^:(\d+)/.exec(stack.slice(at + name.length))?.[1];
    if (line) return Number(line);
  }
  return undefined;
}

export async function loadScenarioFile(path: string): Promise<Scenario[]> {
  const where = relative(process.cwd(), path) || path;
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(path).href);
  } catch (error) {
    const line = lineOf(error, path);
    throw new ScenarioError(`${where}${line ? `:${line}` : ""}: cannot load: ${(error as Error).message.split("\n")[0]}`);
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
        throw new ScenarioError(`${relative(process.cwd(), path)}: scenario "${scenario.name}": name: already used by another scenario`);
      }
      scenarios.push(scenario);
    }
  }
  return scenarios;
}
