// Starts a worker the harness did not build: given its wrangler config (main script,
// compatibility settings, Durable Object bindings, and its variables as `wrangler dev` gives
// them: `[vars]`, then `.dev.vars` or `.env` beside the config) or a directory of built output
// (the entry found by name; bindings from the profile). For a workers-rs project that is
// `wrangler.toml`, or the `build/` directory worker-build writes. The profile's own bindings
// and variables are added where the worker's do not name them.
import { existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { CANARY_WRANGLER_CONFIG, readWorkerRuntimeConfig } from "./wrangler-config.ts";
import type { Topology } from "../history/scenario.ts";
import { launch, OBJECTS_WORKER, type RunningWorker, type WorkerOptions } from "./start-worker.ts";
import { InputError } from "../errors.ts";

/**
 * What a profile adds to its worker's own configuration (harness/profile/profile.ts): Durable
 * Object bindings where a worker-build output directory has none, and variables.
 */
export interface ProfileBindings {
  durableObjects?: Record<string, string>;
  vars?: Record<string, string>;
}

/** Entry modules looked for in a directory, in order: the canary's, worker-build's, the usual ones. */
export const ENTRY_CANDIDATES = ["worker.js", "index.js", "worker/shim.mjs", "shim.mjs", "index.mjs"];

export class OwnWorkerError extends InputError {
  override name = "OwnWorkerError";
}

/** What workerd needs to run a worker of your own: read once, started as often as needed. */
export interface ResolvedWorker {
  scriptPath: string;
  modulesRoot: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  durableObjects: Record<string, string>;
  vars: Record<string, string>;
}

async function fromWranglerConfig(path: string, profile: ProfileBindings): Promise<ResolvedWorker> {
  const { unstable_readConfig, unstable_getVarsForDev } = await import("wrangler");
  let config: ReturnType<typeof unstable_readConfig>;
  try {
    config = unstable_readConfig({ config: path });
  } catch (error) {
    throw new OwnWorkerError(`${path}: wrangler cannot read it: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!config.main) throw new OwnWorkerError(`${path}: no \`main\`: say which built script is the worker`);
  if (!existsSync(config.main)) {
    throw new OwnWorkerError(`${path}: main ${relative(process.cwd(), config.main)} does not exist; build the worker first (for workers-rs: worker-build --release)`);
  }
  const { compatibilityDate, compatibilityFlags } = await readWorkerRuntimeConfig(path);
  const vars: Record<string, string> = { ...profile.vars };
  const devVars = unstable_getVarsForDev(path, undefined, config.vars, undefined, true, config.secrets);
  for (const [name, binding] of Object.entries(devVars)) {
    vars[name] = typeof binding.value === "string" ? binding.value : JSON.stringify(binding.value);
  }
  // Modules resolve under one root: the config's folder, unless main lives outside it.
  const configDir = dirname(resolve(path));
  return {
    scriptPath: config.main,
    modulesRoot: relative(configDir, config.main).startsWith("..") ? dirname(config.main) : configDir,
    compatibilityDate,
    compatibilityFlags,
    durableObjects: {
      ...profile.durableObjects,
      ...Object.fromEntries((config.durable_objects?.bindings ?? []).map((b: { name: string; class_name: string }) => [b.name, b.class_name])),
    },
    vars,
  };
}

async function fromDirectory(dir: string, profile: ProfileBindings): Promise<ResolvedWorker> {
  const entry = ENTRY_CANDIDATES.map((name) => join(dir, name)).find((file) => existsSync(file));
  if (!entry) throw new OwnWorkerError(`${dir}: no worker entry here (looked for ${ENTRY_CANDIDATES.join(", ")}); pass the built directory or its wrangler.toml`);
  // A built directory says nothing about compatibility: take the harness's own settings.
  const { compatibilityDate, compatibilityFlags } = await readWorkerRuntimeConfig(CANARY_WRANGLER_CONFIG);
  return { scriptPath: entry, modulesRoot: dir, compatibilityDate, compatibilityFlags, durableObjects: profile.durableObjects ?? {}, vars: profile.vars ?? {} };
}

/** Resolves `target` (a wrangler config file or a built directory) to what workerd needs. */
export async function resolveOwnWorker(target: string, profile: ProfileBindings): Promise<ResolvedWorker> {
  const path = resolve(target);
  if (!existsSync(path)) throw new OwnWorkerError(`--worker ${target}: no such file or directory`);
  if (statSync(path).isDirectory()) return fromDirectory(path, profile);
  if (!/\.(toml|json|jsonc)$/.test(path)) throw new OwnWorkerError(`--worker ${target}: give a wrangler config (.toml/.json/.jsonc) or a directory of built output`);
  return fromWranglerConfig(path, profile);
}

/**
 * Starts a resolved worker in workerd, with deadlines like the canary's. `split`: its Durable
 * Objects run in a second copy of the worker, in an isolate of their own, as the canary's do.
 */
export function startOwnWorker(resolved: ResolvedWorker, requestDeadlineMs?: number, topology: Topology = "shared"): Promise<RunningWorker> {
  const worker = (name: string, scriptName?: string): WorkerOptions => ({
    name,
    modules: true,
    scriptPath: resolved.scriptPath,
    modulesRoot: resolved.modulesRoot,
    // As wrangler reads a modules worker: .js is an ES module whatever the nearest package.json says.
    modulesRules: [
      { type: "CompiledWasm", include: ["**/*.wasm"] },
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CommonJS", include: ["**/*.cjs"] },
    ],
    compatibilityDate: resolved.compatibilityDate,
    compatibilityFlags: resolved.compatibilityFlags,
    bindings: resolved.vars,
    durableObjects: Object.fromEntries(Object.entries(resolved.durableObjects).map(([binding, className]) =>
      [binding, { className, useSQLite: true, unsafePreventEviction: true, ...(scriptName ? { scriptName } : {}) }])),
  });
  const label = relative(process.cwd(), resolved.scriptPath) || resolved.scriptPath;
  return launch(label, topology === "shared" ? [worker("worker")] : [worker("worker", OBJECTS_WORKER), worker(OBJECTS_WORKER)], requestDeadlineMs);
}
