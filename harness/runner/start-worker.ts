// Starts a built variant of the canary in workerd through Miniflare and talks to it with a
// deadline on every request, so a hung worker fails a request instead of hanging the harness.
import { existsSync } from "node:fs";
import type { Readable } from "node:stream";
import { join } from "node:path";
import { Log, LogLevel, Miniflare, type RequestInit, type Response } from "miniflare";
import { MANIFEST_FILE, WORKER_FILE, type BuildManifest, readManifest } from "../build/manifest.ts";
import type { VariantName } from "../build/variants.ts";
import { variantDistDir } from "../project.ts";
import { readWorkerRuntimeConfig } from "./wrangler-config.ts";

export const DEFAULT_REQUEST_DEADLINE_MS = 10_000;

export interface StartOptions {
  /** Milliseconds a request may take before it is abandoned with a DeadlineError. */
  requestDeadlineMs?: number;
}

export interface RunningWorker {
  manifest: BuildManifest;
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

export async function startVariant(variant: VariantName, options: StartOptions = {}): Promise<RunningWorker> {
  const dir = variantDistDir(variant);
  const manifest = readManifest(variant);
  if (!manifest || !existsSync(join(dir, WORKER_FILE))) {
    throw new NotBuiltError(`variant ${variant} is not built (no ${join(dir, MANIFEST_FILE)}); run \`npx wrh build --variant ${variant}\``);
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
