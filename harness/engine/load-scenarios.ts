// Loads scenario files (`*.scenarios.ts` default-exporting an array of scenarios, or
// `*.scenarios.json` holding one) and validates every entry, so a mistake is one line naming
// the file, the scenario and the field.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../project.ts";
import { type Scenario } from "../history/scenario.ts";
import { ScenarioError, validateScenario } from "./scenario.ts";

export const SCENARIO_DIR = join(PROJECT_ROOT, "scenarios");
/** The built-in catalog's files: TypeScript in a clone, compiled JavaScript in an installed package. */
const CATALOG_FILE = /\.scenarios\.[jt]s$/;

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

/** A JSON file's contents; a syntax error names its line (JSON.parse counts characters). */
function readJson(path: string, where: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ScenarioError(`${where}: cannot load: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message.split("\n")[0]!;
    const position = /at position (\d+)/.exec(message)?.[1];
    const line = position === undefined ? "" : `:${text.slice(0, Number(position)).split("\n").length}`;
    throw new ScenarioError(`${where}${line}: cannot load: ${message}`);
  }
}

export async function loadScenarioFile(path: string): Promise<Scenario[]> {
  const where = relative(process.cwd(), path) || path;
  let scenarios: unknown;
  if (path.endsWith(".json")) {
    scenarios = readJson(path, where);
    if (!Array.isArray(scenarios)) throw new ScenarioError(`${where}: must hold an array of scenarios`);
  } else {
    try {
      scenarios = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
    } catch (error) {
      const line = lineOf(error, path);
      const message = (error as Error).message.split("\n")[0];
      // `npm init` writes "type": "commonjs", under which Node reads a .ts file as CommonJS.
      const hint = /outside a module|Unexpected token 'export'/.test(message ?? "") && path.endsWith(".ts")
        ? " (Node read it as CommonJS: name it .mts, or set \"type\": \"module\" in your package.json)"
        : "";
      throw new ScenarioError(`${where}${line ? `:${line}` : ""}: cannot load: ${message}${hint}`);
    }
    if (!Array.isArray(scenarios)) throw new ScenarioError(`${where}: must default-export an array of scenarios`);
  }
  return scenarios.map((value, index) => validateScenario(value, `${where}[${index}]`));
}

/**
 * The built-in catalog (the scenarios/ folder; left out with `catalog: false`) and every
 * scenario in `files`, names unique across all of them.
 */
export async function loadScenarios(files: readonly string[] = [], { catalog = true } = {}): Promise<Scenario[]> {
  const builtIn = catalog ? readdirSync(SCENARIO_DIR).filter((f) => CATALOG_FILE.test(f)).sort().map((f) => join(SCENARIO_DIR, f)) : [];
  const paths = [...builtIn, ...files];
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
