// Starts a worker the harness did not build: given its wrangler config (main script,
// compatibility settings, Durable Object bindings, vars from the config) or a directory of
// built output (the entry found by name; bindings from the profile). For a workers-rs project
// that is `wrangler.toml`, or the `build/` directory worker-build writes.
import { existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Profile } from "../profile/profile.ts";
import { CANARY_WRANGLER_CONFIG, readWorkerRuntimeConfig } from "./wrangler-config.ts";
import { launch, type RunningWorker, type WorkerOptions } from "./start-worker.ts";

/** Entry modules looked for in a directory, in order: the canary's, worker-build's, the usual ones. */
export const ENTRY_CANDIDATES = ["worker.js", "index.js", "worker/shim.mjs", "shim.mjs", "index.mjs"];

export class OwnWorkerError extends Error {
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

async function fromWranglerConfig(path: string): Promise<ResolvedWorker> {
  const { unstable_readConfig } = await import("wrangler");
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
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.vars ?? {})) vars[name] = typeof value === "string" ? value : JSON.stringify(value);
  // Modules resolve under one root: the config's folder, unless main lives outside it.
  const configDir = dirname(resolve(path));
  return {
    scriptPath: config.main,
    modulesRoot: relative(configDir, config.main).startsWith("..") ? dirname(config.main) : configDir,
    compatibilityDate,
    compatibilityFlags,
    durableObjects: Object.fromEntries((config.durable_objects?.bindings ?? []).map((b: { name: string; class_name: string }) => [b.name, b.class_name])),
    vars,
  };
}

async function fromDirectory(dir: string, profile: Profile): Promise<ResolvedWorker> {
  const entry = ENTRY_CANDIDATES.map((name) => join(dir, name)).find((file) => existsSync(file));
  if (!entry) throw new OwnWorkerError(`${dir}: no worker entry here (looked for ${ENTRY_CANDIDATES.join(", ")}); pass the built directory or its wrangler.toml`);
  // A built directory says nothing about compatibility: take the harness's own settings.
  const { compatibilityDate, compatibilityFlags } = await readWorkerRuntimeConfig(CANARY_WRANGLER_CONFIG);
  return { scriptPath: entry, modulesRoot: dir, compatibilityDate, compatibilityFlags, durableObjects: profile.durableObjects ?? {}, vars: {} };
}

/** Resolves `target` (a wrangler config file or a built directory) to what workerd needs. */
export async function resolveOwnWorker(target: string, profile: Profile): Promise<ResolvedWorker> {
  const path = resolve(target);
  if (!existsSync(path)) throw new OwnWorkerError(`--worker ${target}: no such file or directory`);
  if (statSync(path).isDirectory()) return fromDirectory(path, profile);
  if (!/\.(toml|json|jsonc)$/.test(path)) throw new OwnWorkerError(`--worker ${target}: give a wrangler config (.toml/.json/.jsonc) or a directory of built output`);
  return fromWranglerConfig(path);
}

/** Starts a resolved worker in workerd, with deadlines like the canary's. */
export function startOwnWorker(resolved: ResolvedWorker, requestDeadlineMs?: number): Promise<RunningWorker> {
  const worker: WorkerOptions = {
    name: "worker",
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
      [binding, { className, useSQLite: true, unsafePreventEviction: true }])),
  };
  return launch(relative(process.cwd(), resolved.scriptPath) || resolved.scriptPath, [worker], requestDeadlineMs);
}
