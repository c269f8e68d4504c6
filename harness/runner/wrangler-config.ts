// Reads the settings a worker needs at run time (compatibility date and flags) from a
// wrangler config file, through wrangler's own reader so every wrangler format and check applies.
import { PROJECT_ROOT } from "../project.ts";
import { join } from "node:path";
import { InputError } from "../errors.ts";

export interface WorkerRuntimeConfig {
  compatibilityDate: string;
  compatibilityFlags: string[];
}

export const CANARY_WRANGLER_CONFIG = join(PROJECT_ROOT, "wrangler.toml");

const cache = new Map<string, Promise<WorkerRuntimeConfig>>();

async function read(path: string): Promise<WorkerRuntimeConfig> {
  // Imported on first use: wrangler takes about a second to load.
  const { unstable_readConfig } = await import("wrangler");
  const config = unstable_readConfig({ config: path });
  if (!config.compatibility_date) throw new InputError(`${path}: compatibility_date is not set`);
  return { compatibilityDate: config.compatibility_date, compatibilityFlags: config.compatibility_flags ?? [] };
}

export function readWorkerRuntimeConfig(path = CANARY_WRANGLER_CONFIG): Promise<WorkerRuntimeConfig> {
  let config = cache.get(path);
  if (!config) {
    config = read(path);
    cache.set(path, config);
  }
  return config;
}
