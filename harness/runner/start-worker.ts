// Starts a built variant of the canary in workerd through Miniflare and talks to it with a
// deadline on every request, so a hung worker fails a request instead of hanging the harness.
import { existsSync } from "node:fs";
import type { Readable } from "node:stream";
import { join } from "node:path";
import { Log, LogLevel, Miniflare, type RequestInit, type Response } from "miniflare";
import { MANIFEST_FILE, WORKER_FILE, type BuildManifest, readManifest } from "../build/manifest.ts";
import type { VariantName } from "../build/variants.ts";
import { variantDistDir } from "../project.ts";
import { type Mutant, type Strategy, defaultStrategyFor, strategyFitsBuild } from "../protocol/recovery.ts";
import { readWorkerRuntimeConfig } from "./wrangler-config.ts";

export const DEFAULT_REQUEST_DEADLINE_MS = 10_000;

export interface StartOptions {
  variant: VariantName;
  /** Recovery strategy; by default what the build supports (reset for abort, unwind for unwind builds). */
  strategy?: Strategy;
  /** Test-only bug classes to inject (see MUTANTS). */
  mutants?: readonly Mutant[];
  /** Milliseconds a request may take before it is abandoned with a DeadlineError. */
  requestDeadlineMs?: number;
  /** Milliseconds a parked request waits for release before it gives up. */
  parkTimeoutMs?: number;
}

export interface RunningWorker {
  manifest: BuildManifest;
  strategy: Strategy;
  /** GET (or `init`) a path on the worker; rejects with DeadlineError when the deadline passes. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Everything the worker wrote to its console so far. */
  output(): string;
  /** Stops workerd. Safe to call more than once. */
  dispose(): Promise<void>;
}

export class DeadlineError extends Error {
  override name = "DeadlineError";
}

export class NotBuiltError extends Error {
  override name = "NotBuiltError";
}

export class StrategyMismatchError extends Error {
  override name = "StrategyMismatchError";
}

/** Starts the canary's `variant` build in workerd under `strategy`, with a Durable Object binding. */
export async function startCanary(options: StartOptions): Promise<RunningWorker> {
  const { variant, mutants = [] } = options;
  const dir = variantDistDir(variant);
  const manifest = readManifest(variant);
  if (!manifest || !existsSync(join(dir, WORKER_FILE))) {
    throw new NotBuiltError(`variant ${variant} is not built (no ${join(dir, MANIFEST_FILE)}); run \`npx wrh build --variant ${variant}\``);
  }
  const strategy = options.strategy ?? defaultStrategyFor(manifest.panicStrategy);
  if (!strategyFitsBuild(strategy, manifest.panicStrategy)) {
    throw new StrategyMismatchError(
      `strategy ${strategy} cannot run variant ${variant} (panic=${manifest.panicStrategy}); ` +
      `none and reset run the abort build, unwind runs unwind or unwind-exnref`,
    );
  }
  const deadlineMs = options.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS;
  const { compatibilityDate, compatibilityFlags } = await readWorkerRuntimeConfig();
  const output: string[] = [];
  const mf = new Miniflare({
    log: new Log(LogLevel.WARN),
    cf: false,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
      stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    },
    name: `canary-${variant}`,
    modules: true,
    scriptPath: join(dir, WORKER_FILE),
    modulesRoot: dir,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate,
    compatibilityFlags,
    bindings: {
      WRH_STRATEGY: strategy,
      WRH_MUTANTS: mutants.join(","),
      ...(options.parkTimeoutMs === undefined ? {} : { WRH_PARK_TIMEOUT_MS: String(options.parkTimeoutMs) }),
    },
    // Durable Objects stay in memory between requests: eviction after 10 s idle would look
    // exactly like a reset to the harness.
    durableObjects: { COUNTER: { className: "CanaryCounter", useSQLite: true, unsafePreventEviction: true } },
  });
  try {
    await mf.ready;
  } catch (error) {
    await mf.dispose();
    const detail = output.join("").trim();
    throw new Error(`workerd could not start variant ${variant}: ${(error as Error).message}${detail ? `\n${detail}` : ""}`);
  }
  let disposed: Promise<void> | undefined;
  return {
    manifest,
    strategy,
    async fetch(path, init = {}) {
      const signal = AbortSignal.timeout(deadlineMs);
      try {
        return await mf.dispatchFetch(new URL(path, "http://canary.test"), { ...init, signal });
      } catch (error) {
        if (signal.aborted) throw new DeadlineError(`${path}: no response within ${deadlineMs} ms`);
        throw error;
      }
    },
    output: () => output.join(""),
    dispose: () => (disposed ??= mf.dispose()),
  };
}
