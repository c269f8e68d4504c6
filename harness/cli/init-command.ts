// `wrh init`: sets a worker's own repository up to run the recovery scenarios as vitest tests
// (harness/vitest/recovery-tests.ts) beside its other tests. Everything is checked before
// anything is written, and nothing the user already has is overwritten.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
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
const SCRIPT = "test:recovery";

/** The vitest project that runs the spec files `wrh init` writes: plain Node, no plugin. */
function recoveryProjectEntry(dir: string): string {
  return `{ test: { name: "${RECOVERY_PROJECT}", include: ["${dir}/**/*.recovery.ts"] } }`;
}

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
      // Fault scenarios against the built worker in workerd (workers-recovery-harness).
      ${recoveryProjectEntry(dir)},
    ],
  },
});
`;
}

/** The user's vitest config with the recovery project added, or undefined where it has no `projects` list to add it to. */
function withRecoveryProject(text: string, dir: string): string | undefined {
  const list = /(\bprojects\s*:\s*\[)/.exec(text);
  if (!list) return undefined;
  const at = list.index + list[0].length;
  return `${text.slice(0, at)}\n      ${recoveryProjectEntry(dir)},${text.slice(at)}`;
}

function parsePackageJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`package.json: cannot read it: ${(error as Error).message}`);
  }
}

async function plan(cwd: string, values: { worker?: string; profile?: string; dir?: string }): Promise<Plan> {
  const dir = values.dir ?? RECOVERY_PROJECT;
  const profile = loadProfile(values.profile ?? DEFAULT_PROFILE);
  const { worker, found } = await detectWorker(cwd, values.worker);
  const notes: string[] = [];
  const packageJson = join(cwd, "package.json");
  if (!existsSync(packageJson)) throw new UsageError("no package.json here: run `npm init -y` and `npm install -D workers-recovery-harness vitest` first");
  const packageText = readFileSync(packageJson, "utf8");
  const manifest = parsePackageJson(packageText) as { scripts?: Record<string, string>; type?: string; dependencies?: object; devDependencies?: object };
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
    files.push({ path: join(cwd, name), text: vitestConfig(dir), what: `the vitest config, with a "${RECOVERY_PROJECT}" project` });
  } else {
    const text = readFileSync(join(cwd, existing), "utf8");
    if (text.includes(`name: "${RECOVERY_PROJECT}"`)) notes.push(`${existing} already has a "${RECOVERY_PROJECT}" project`);
    else {
      const edited = withRecoveryProject(text, dir);
      if (edited) files.push({ path: join(cwd, existing), text: edited, what: `the "${RECOVERY_PROJECT}" project added beside your projects` });
      else notes.push(`one step left for you: ${existing} has no test.projects list; make your tests one project and add ${recoveryProjectEntry(dir)} beside it (README: "In your own vitest")`);
    }
  }

  if (manifest.scripts?.[SCRIPT]) notes.push(`package.json already has a "${SCRIPT}" script`);
  else {
    manifest.scripts = { ...manifest.scripts, [SCRIPT]: `vitest run --project ${RECOVERY_PROJECT}` };
    const indent = /^[ \t]+/m.exec(packageText)?.[0] ?? "  ";
    files.push({ path: packageJson, text: `${JSON.stringify(manifest, null, indent)}\n`, what: `an npm script: npm run ${SCRIPT}` });
  }
  const deps = { ...manifest.dependencies, ...manifest.devDependencies };
  if (!("vitest" in deps)) notes.push("vitest is not a dependency here yet: npm install -D vitest@^4.1");
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
