// The Worker's configuration, read from its bindings, and the one runtime per isolate built
// from it. The stateless handler and (in the shared topology) the Durable Objects of the same
// worker use that same runtime, hence the same WebAssembly instance.
import canary from "./canary.wasm";
import { MUTANT_NAMES, type Mutant, STRATEGIES, type Strategy, defaultStrategyFor, isMutant, strategyFitsBuild } from "../protocol/recovery.ts";
import { canaryImports } from "./canary-imports.ts";
import { ConfigError } from "./errors.ts";
import { GuestRuntime } from "./runtime.ts";

export interface DurableObjectStub {
  fetch(request: Request): Promise<Response>;
}

export interface DurableObjectNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): DurableObjectStub;
}

export interface Env {
  /** none | reset | unwind; defaults to what the build supports (reset or unwind). */
  WRH_STRATEGY?: string;
  /** Comma-separated mutant names (test only). */
  WRH_MUTANTS?: string;
  /** How long a parked request waits for release, in ms. */
  WRH_PARK_TIMEOUT_MS?: string;
  COUNTER?: DurableObjectNamespace;
}

let runtime: GuestRuntime | undefined;

function parseStrategy(value: string | undefined): Strategy {
  if (value === undefined || value === "") return defaultStrategyFor(WRH_BUILD.panicStrategy);
  if (!(STRATEGIES as readonly string[]).includes(value)) {
    throw new ConfigError(`WRH_STRATEGY=${value}: choose one of ${STRATEGIES.join(", ")}`);
  }
  const strategy = value as Strategy;
  if (!strategyFitsBuild(strategy, WRH_BUILD.panicStrategy)) {
    throw new ConfigError(`strategy ${strategy} cannot run the ${WRH_BUILD.variant} build (panic=${WRH_BUILD.panicStrategy})`);
  }
  return strategy;
}

function parseMutants(value: string | undefined): Set<Mutant> {
  const names = (value ?? "").split(",").map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!isMutant(name)) throw new ConfigError(`unknown mutant ${name}; known: ${MUTANT_NAMES.join(", ")}`);
  }
  return new Set(names as Mutant[]);
}

/** The isolate's runtime, created on first use (workerd forbids the work at module scope). */
export function runtimeFor(env: Env): GuestRuntime {
  runtime ??= new GuestRuntime({
    module: canary,
    strategy: parseStrategy(env.WRH_STRATEGY),
    mutants: parseMutants(env.WRH_MUTANTS),
    parkTimeoutMs: env.WRH_PARK_TIMEOUT_MS ? Number(env.WRH_PARK_TIMEOUT_MS) : undefined,
    extraImports: canaryImports,
  });
  return runtime;
}
