#!/usr/bin/env node
// `npm run dev`: the canary under `wrangler dev`, with wrangler.toml's bindings, to poke its
// routes by hand (curl). Builds the variant first if its sources changed.
// package.json starts it with `exec`: a kill of npm then reaches this process, where `sh -c`
// would die without passing it on and leave wrangler and workerd running.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildVariants } from "../build/build.ts";
import { WORKER_FILE } from "../build/manifest.ts";
import { VARIANT_NAMES, type Variant, variantByName } from "../build/variants.ts";
import { PROJECT_ROOT, variantDistDir } from "../project.ts";
import { STRATEGIES, type Strategy, defaultStrategyFor, strategyFitsBuild } from "../protocol/recovery.ts";
import { CANARY_WRANGLER_CONFIG } from "../runner/wrangler-config.ts";
import { exitCodeFor } from "../errors.ts";
import { say } from "./commands.ts";
import { UsageError, wantsHelp } from "./usage.ts";

const DEV_USAGE = `Usage: npm run dev -- [--variant ${VARIANT_NAMES.join("|")}] [--strategy ${STRATEGIES.join("|")}] [--port N]
  The reference canary under wrangler dev at http://127.0.0.1:<port>, with wrangler.toml's
  bindings, to poke its routes by hand (curl). Builds the variant first if its sources changed.
  Defaults: --variant unwind, --strategy the one the build recovers by, --port 8787.
  Exit codes: wrangler's own; 2 bad input or environment.`;

// Its launcher, not node_modules/.bin's shebang: that would pick whatever Node is on PATH.
const WRANGLER = join(PROJECT_ROOT, "node_modules/wrangler/bin/wrangler.js");

interface DevOptions {
  variant: Variant;
  strategy: Strategy;
  port: number;
}

function parse(args: string[]): DevOptions {
  const { values } = parseArgs({
    args,
    options: {
      variant: { type: "string", default: "unwind" },
      strategy: { type: "string" },
      port: { type: "string", default: "8787" },
    },
  });
  const variant = variantByName(values.variant);
  if (!variant) throw new UsageError(`--variant ${values.variant}: choose from ${VARIANT_NAMES.join(", ")}`);
  const strategy = (values.strategy ?? defaultStrategyFor(variant.panic)) as Strategy;
  if (!STRATEGIES.includes(strategy)) throw new UsageError(`--strategy ${strategy}: choose from ${STRATEGIES.join(", ")}`);
  if (!strategyFitsBuild(strategy, variant.panic)) {
    throw new UsageError(`--strategy ${strategy} cannot run the ${variant.name} build (panic=${variant.panic}); none and reset run abort, unwind runs unwind or unwind-exnref`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port ${values.port}: not a TCP port`);
  return { variant, strategy, port };
}

/** Runs wrangler dev until it exits; resolves to its exit code. */
function wranglerDev({ variant, strategy, port }: DevOptions): Promise<number> {
  const args = [
    WRANGLER, "dev", join(variantDistDir(variant.name), WORKER_FILE),
    "--config", CANARY_WRANGLER_CONFIG,
    "--var", `WRH_STRATEGY:${strategy}`,
    "--ip", "127.0.0.1", "--port", String(port),
    // No remote bindings, no keyboard shortcuts: it runs offline, and in the background too.
    "--local", "--show-interactive-dev-session=false",
  ];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
    // No telemetry, and no fetch of Request.cf's data from workers.cloudflare.com (the canary
    // never reads it; offline, wrangler prints a stack trace for it).
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  });
  // A `kill` reaches only this process; wrangler has to hear it to stop its workerd.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? 128 + constants.signals[signal!]));
  });
}

try {
  if (wantsHelp(process.argv.slice(2))) {
    process.stdout.write(DEV_USAGE + "\n");
    process.exit(0);
  }
  const options = parse(process.argv.slice(2));
  await buildVariants({ variants: [options.variant] });
  say(`wrangler dev: ${options.variant.name} build, strategy ${options.strategy}, http://127.0.0.1:${options.port}`);
  process.exitCode = await wranglerDev(options);
} catch (error) {
  say(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = exitCodeFor(error);
}
