// `wrh init`: sets a worker's own repository up to run the recovery scenarios as vitest tests
// (harness/vitest/recovery-tests.ts) beside its other tests. Everything is checked before
// anything is written, and nothing the user already has is overwritten.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadScenarios } from "../engine/load-scenarios.ts";
import { DEFAULT_PROFILE, loadProfile } from "../profile/profile.ts";
import { say } from "./commands.ts";
import { COMMAND_OPTIONS, UsageError } from "./usage.ts";

const WRANGLER_CONFIGS = ["wrangler.toml", "wrangler.jsonc", "wrangler.json"];
const VITEST_CONFIGS = ["vitest.config.ts", "vitest.config.mts", "vitest.config.js", "vitest.config.mjs"];
/** worker-build's output folder in a workers-rs project. */
const WORKER_BUILD_OUT = "build";
const RECOVERY_PROJECT = "recovery";
/** The name `wrh init` gives the project holding the tests a config ran before it had projects. */
const OWN_TESTS = "tests";
const PACKAGE_NAME = "workers-recovery-harness";
/** How to install the package until it is on the npm registry. */
const TARBALL_ROUTE = `${PACKAGE_NAME} is not on the npm registry yet: in a clone of it, \`npm pack\`, then here \`npm install -D <clone>/${PACKAGE_NAME}-<version>.tgz\``;
const SCRIPT = "test:recovery";

/** The vitest project that runs the spec files `wrh init` writes: plain Node, no plugin, nothing inherited. */
function recoveryProjectEntry(dir: string): string {
  return `{ test: { name: "${RECOVERY_PROJECT}", include: ["${dir}/**/*.recovery.ts"] } }`;
}

/**
 * The project that keeps running the tests the config ran before it had projects: `extends:
 * true` gives it the root config's own test options (include, pool, setup files) and plugins.
 */
const OWN_TESTS_PROJECT = `{ extends: true, test: { name: "${OWN_TESTS}" } }`;

interface Plan {
  /** What it found, said before it writes. */
  found: string[];
  files: { path: string; text: string; what: string }[];
  /** What it left alone, said after. */
  notes: string[];
}

/** The worker to judge: the wrangler config here, else worker-build's output folder. */
async function detectWorker(cwd: string, given: string | undefined): Promise<{ worker: string; found: string }> {
  if (given !== undefined) {
    if (!existsSync(resolve(cwd, given))) throw new UsageError(`--worker ${given}: no such file or directory`);
    return { worker: given, found: `worker: ${given}` };
  }
  const config = WRANGLER_CONFIGS.find((name) => existsSync(join(cwd, name)));
  if (config) {
    const { unstable_readConfig } = await import("wrangler");
    let main: string | undefined;
    try {
      main = unstable_readConfig({ config: join(cwd, config) }).main;
    } catch (error) {
      throw new UsageError(`${config}: wrangler cannot read it: ${(error as Error).message.split("\n")[0]}`);
    }
    if (!main) throw new UsageError(`${config} has no \`main\`: say which built script is the worker (for workers-rs: main = "build/worker/shim.mjs")`);
    const built = existsSync(main);
    return {
      worker: config,
      found: `worker: ${config}, main ${relative(cwd, main)} (${built ? "built" : `not built yet: build it before \`vitest run\`${isWorkersRs(cwd) ? ", e.g. `worker-build --release`" : ""}`})`,
    };
  }
  if (existsSync(join(cwd, WORKER_BUILD_OUT)) && statSync(join(cwd, WORKER_BUILD_OUT)).isDirectory()) {
    return { worker: WORKER_BUILD_OUT, found: `worker: ${WORKER_BUILD_OUT}/ (no wrangler config here: Durable Object bindings come from the profile)` };
  }
  throw new UsageError(`no ${WRANGLER_CONFIGS.join(", ")} or ${WORKER_BUILD_OUT}/ here: run wrh init in your worker's folder, or pass --worker <wrangler.toml|built dir>`);
}

function isWorkersRs(cwd: string): boolean {
  const cargo = join(cwd, "Cargo.toml");
  return existsSync(cargo) && /^\s*worker\s*=/m.test(readFileSync(cargo, "utf8"));
}

function specFile(worker: string, kind: string, profile: string | undefined): string {
  const options = [`worker: ${JSON.stringify(worker)}`, ...(profile ? [`profile: ${JSON.stringify(profile)}`] : []), `faults: [${JSON.stringify(kind)}]`];
  return `// Recovery tests of this worker: the built-in scenarios whose fault is ${kind === "js-error" ? "a JS error" : `a ${kind}`}, one vitest
// test per run (workers-recovery-harness). One file per fault kind, so \`vitest --shard\` splits them.
import { recoveryTests } from "workers-recovery-harness/vitest";

await recoveryTests({ ${options.join(", ")} });
`;
}

function vitestConfig(dir: string): string {
  return `import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      // Your tests, found as vitest finds them without a config.
      ${OWN_TESTS_PROJECT},
      // Fault scenarios against the built worker in workerd (workers-recovery-harness).
      ${recoveryProjectEntry(dir)},
    ],
  },
});
`;
}

/**
 * The user's vitest config with the recovery project added: beside its projects where it has a
 * list of them; else its own tests become a project of their own (inheriting the root options)
 * beside the recovery one. Undefined where it has no `test: {` to edit.
 */
function withRecoveryProject(text: string, dir: string): { text: string; what: string } | undefined {
  const list = /(\bprojects\s*:\s*\[)/.exec(text);
  if (list) {
    const at = list.index + list[0].length;
    return { text: `${text.slice(0, at)}\n      ${recoveryProjectEntry(dir)},${text.slice(at)}`, what: `the "${RECOVERY_PROJECT}" project added beside your projects` };
  }
  const test = /(\btest\s*:\s*\{)/.exec(text);
  if (!test) return undefined;
  const at = test.index + test[0].length;
  return {
    text: `${text.slice(0, at)}\n    projects: [${OWN_TESTS_PROJECT}, ${recoveryProjectEntry(dir)}],${text.slice(at)}`,
    what: `your tests as project "${OWN_TESTS}" (with the options they had), the "${RECOVERY_PROJECT}" project beside them`,
  };
}

/** The nearest folder at or above `dir` holding `name`. */
function findUp(dir: string, name: string): string | undefined {
  for (let at = resolve(dir); ; at = dirname(at)) {
    if (existsSync(join(at, name))) return at;
    if (dirname(at) === at) return undefined;
  }
}

/** Whether `specifier` resolves from `dir` as Node would (node_modules here or up the tree). */
function resolvable(dir: string, specifier: string): boolean {
  try {
    createRequire(join(dir, "wrh-init.js")).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

function parsePackageJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where}: cannot read it: ${(error as Error).message}`);
  }
}

async function plan(cwd: string, values: { worker?: string; profile?: string; dir?: string }): Promise<Plan> {
  const dir = values.dir ?? RECOVERY_PROJECT;
  const profile = loadProfile(values.profile ?? DEFAULT_PROFILE);
  const { worker, found } = await detectWorker(cwd, values.worker);
  const notes: string[] = [];
  // In a monorepo the package.json (and node_modules) may be further up: use them, never a second install.
  const packageDir = findUp(cwd, "package.json");
  if (!packageDir) throw new UsageError(`no package.json here or above: run \`npm init -y\` and \`npm install -D vitest@^4.1\` first; ${TARBALL_ROUTE}`);
  const packageJson = join(packageDir, "package.json");
  const packageText = readFileSync(packageJson, "utf8");
  const manifest = parsePackageJson(packageText, relative(cwd, packageJson)) as { scripts?: Record<string, string>; type?: string };
  const catalog = await loadScenarios();
  const kinds = Object.keys(profile.faults).filter((kind) => catalog.some((s) => s.fault.kind === kind));
  if (kinds.length === 0) throw new UsageError(`profile ${profile.name} names no fault route the catalog has scenarios for`);
  const files: Plan["files"] = [];
  for (const kind of kinds) {
    const path = join(cwd, dir, `${kind}.recovery.ts`);
    if (existsSync(path)) notes.push(`${relative(cwd, path)} exists: left as it is`);
    else files.push({ path, text: specFile(worker, kind, values.profile), what: `recovery tests of ${kind} faults` });
  }

  const existing = VITEST_CONFIGS.find((name) => existsSync(join(cwd, name)));
  if (!existing) {
    // vitest is ESM only: in a CommonJS package its config must say it is a module by its name.
    const name = manifest.type === "module" ? "vitest.config.ts" : "vitest.config.mts";
    files.push({ path: join(cwd, name), text: vitestConfig(dir), what: `the vitest config: your tests as project "${OWN_TESTS}", the "${RECOVERY_PROJECT}" project beside them` });
  } else {
    const text = readFileSync(join(cwd, existing), "utf8");
    if (text.includes(`name: "${RECOVERY_PROJECT}"`)) notes.push(`${existing} already has a "${RECOVERY_PROJECT}" project`);
    else {
      const edited = withRecoveryProject(text, dir);
      if (edited) files.push({ path: join(cwd, existing), ...edited });
      else notes.push(`one step left for you: ${existing} has no test options to add projects to; add test.projects: [${OWN_TESTS_PROJECT}, ${recoveryProjectEntry(dir)}] (docs/own-worker.md, "In your own vitest")`);
    }
  }

  const here = relative(packageDir, cwd);
  const command = `vitest run --project ${RECOVERY_PROJECT}`;
  if (manifest.scripts?.[SCRIPT]) notes.push(`${relative(cwd, packageJson)} already has a "${SCRIPT}" script`);
  else {
    manifest.scripts = { ...manifest.scripts, [SCRIPT]: here ? `cd ${here} && ${command}` : command };
    const indent = /^[ \t]+/m.exec(packageText)?.[0] ?? "  ";
    files.push({ path: packageJson, text: `${JSON.stringify(manifest, null, indent)}\n`, what: `an npm script: npm run ${SCRIPT}` });
  }
  if (!resolvable(cwd, "vitest/package.json")) notes.push("vitest is not installed here yet: npm install -D vitest@^4.1");
  if (!resolvable(cwd, `${PACKAGE_NAME}/package.json`)) notes.push(`${PACKAGE_NAME} is not installed here yet; ${TARBALL_ROUTE}`);
  return { found: [found], files, notes };
}

/** Sets the project in `cwd` up; `say` gets each line of what it found, wrote and left alone. */
export async function initProject(cwd: string, values: { worker?: string; profile?: string; dir?: string }, say: (line: string) => void): Promise<void> {
  const { found, files, notes } = await plan(cwd, values);
  for (const line of found) say(line);
  for (const file of files) {
    mkdirSync(join(file.path, ".."), { recursive: true });
    writeFileSync(file.path, file.text);
    say(`wrote ${relative(cwd, file.path)}: ${file.what}`);
  }
  for (const note of notes) say(note);
  say(`next: npx vitest run (everything), or npm run ${SCRIPT} (the recovery tests alone)`);
}

export async function initCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: COMMAND_OPTIONS.init });
  await initProject(process.cwd(), values, say);
  return 0;
}
