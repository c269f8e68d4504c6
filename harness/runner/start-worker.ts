// Starts a built variant of the canary in workerd through Miniflare and talks to it with a
// deadline on every request, so a hung worker fails a request instead of hanging the harness.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { join } from "node:path";
import { Log, LogLevel, Miniflare, type MiniflareOptions, type RequestInit, Response, type ResponseInit } from "miniflare";
import { MANIFEST_FILE, WORKER_FILE, type BuildManifest, readManifest } from "../build/manifest.ts";
import type { VariantName } from "../build/variants.ts";
import { type RealBuildManifest, type RealMode, type RealModeName, readRealManifest, realDistDir, realModeByName } from "../build/real-build.ts";
import { variantDistDir } from "../project.ts";
import type { Isolate } from "../history/record.ts";
import type { Topology } from "../history/scenario.ts";
import { type Mutant, type Strategy, defaultStrategyFor, strategyFitsBuild } from "../protocol/recovery.ts";
import { type Deadline, DEFAULT_REQUEST_DEADLINE_MS, expiry } from "./deadline.ts";
import { DRIVER_NAME, driverAgent, driverGet, driverWorker, ISOLATE_HEADER, SEQUENCE_PATH, type SequenceLine, sequenceLines, type SequenceRequest } from "./driver.ts";
import { HarnessError, InputError } from "../errors.ts";
import { readWorkerRuntimeConfig } from "./wrangler-config.ts";

export interface StartOptions {
  /** A reference build (abort, unwind, unwind-exnref) or a real workers-rs build (real-…). */
  variant: VariantName | RealModeName;
  /** Recovery strategy; by default what the build supports (reset for abort, unwind for unwind builds). */
  strategy?: Strategy;
  /** Test-only bug classes to inject (see MUTANTS). */
  mutants?: readonly Mutant[];
  /** Milliseconds a request may take before it is abandoned with a DeadlineError. */
  requestDeadlineMs?: number;
  /** Milliseconds a parked request waits for release before it gives up. */
  parkTimeoutMs?: number;
  /** `shared` (default): Durable Objects in the handler's isolate; `split`: in a second worker's. */
  topology?: Topology;
  /** Real builds only: the folder holding <mode>/ (dist/ by default; a release point's for `wrh releases`). */
  distRoot?: string;
  /** Reference builds only: variables beside the harness's own (SOME_SECRET for the workers-rs test-worker layout). */
  vars?: Record<string, string>;
}

export interface RunningWorker {
  topology: Topology;
  /** GET (or `init`) a path on the worker; rejects with DeadlineError when the deadline passes. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /**
   * Like `fetch`, addressed to one isolate: `objects` is the Durable Objects' own worker in the
   * split topology, and the handler's in the shared one.
   */
  fetchIsolate(isolate: Isolate, path: string, deadline?: Deadline): Promise<Response>;
  /**
   * GETs `paths` one after another from inside workerd (./driver.ts), each within the deadline,
   * yielding each answer as it comes, timed from when the sequence started. `stalled` ends it
   * when workerd itself stops answering.
   */
  sequence(isolate: Isolate, paths: readonly string[]): AsyncGenerator<SequenceLine | "stalled">;
  /** The deadline every request gets unless it asks for a shorter one. */
  deadlineMs: number;
  /**
   * A plain GET of `path` on the harness's route to the worker (the driver's socket), read whole,
   * with no deadline and no record: the baseline the harness's own cost per request is measured
   * against (harness/bench/overhead.ts).
   */
  bare(path: string): Promise<Response>;
  /** Whether workerd still answers within `timeoutMs`: a hung isolate blocks the whole process. */
  responsive(timeoutMs?: number): Promise<boolean>;
  /** Everything the worker wrote to its console so far. */
  output(): string;
  /** Stops workerd. Safe to call more than once. */
  dispose(): Promise<void>;
  /** Disposes and kills this worker's workerd process at once: the last resort when `dispose` does not finish. */
  kill(): void;
}

/** How long past the deadline the in-workerd client may stay silent before workerd counts as stopped. */
const STALL_MARGIN_MS = 5_000;

/** Statuses whose responses carry no body. */
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

export class NotBuiltError extends InputError {
  override name = "NotBuiltError";
}

/** An answer read whole, as a Response (a status that carries no body gets none). */
function whole(head: { status: number; statusText: string; headers: ResponseInit["headers"] }, body: ArrayBuffer | Buffer | null): Response {
  return new Response(NULL_BODY_STATUS.has(head.status) ? null : body, { status: head.status, statusText: head.statusText, headers: head.headers });
}

/** In the split topology, the worker that hosts the Durable Objects. */
/** The worker that holds the Durable Objects in the split topology. */
export const OBJECTS_WORKER = "objects";

export class StrategyMismatchError extends InputError {
  override name = "StrategyMismatchError";
}

/** The canary, running: a worker whose build and strategy are known. */
export interface RunningCanary extends RunningWorker {
  manifest: BuildManifest | RealBuildManifest;
  strategy: Strategy;
}

/** Starts the canary's `variant` build in workerd under `strategy`, with a Durable Object binding. */
export async function startCanary(options: StartOptions): Promise<RunningCanary> {
  const { variant, mutants = [] } = options;
  const real = realModeByName(variant);
  if (real) return startRealCanary(real, options);
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
  const worker = (name: string): WorkerOptions => ({
    name,
    modules: true,
    scriptPath: join(dir, WORKER_FILE),
    modulesRoot: dir,
    modulesRules: [{ type: "CompiledWasm" as const, include: ["**/*.wasm"] }],
    compatibilityDate,
    compatibilityFlags,
    bindings: {
      ...options.vars,
      WRH_STRATEGY: strategy,
      WRH_MUTANTS: mutants.join(","),
      ...(options.parkTimeoutMs === undefined ? {} : { WRH_PARK_TIMEOUT_MS: String(options.parkTimeoutMs) }),
    },
  });
  const counter = { className: "CanaryCounter", useSQLite: true, unsafePreventEviction: true };
  const topology = options.topology ?? "shared";
  const running = await launch(`variant ${variant}`, topology === "shared"
    ? [{ ...worker(`canary-${variant}`), durableObjects: { COUNTER: counter } }]
    : [
        { ...worker(`canary-${variant}`), durableObjects: { COUNTER: { ...counter, scriptName: OBJECTS_WORKER } } },
        { ...worker(OBJECTS_WORKER), durableObjects: { COUNTER: counter } },
      ], deadlineMs);
  return { ...running, manifest, strategy };
}

/**
 * Starts a real workers-rs build of the canary (dist/real-…): worker-build's own bundle, its
 * Durable Object classes bound the way workers-rs's test worker binds them. Its strategy is the
 * one its mode builds in; mutants belong to the reference runtime and do not apply.
 */
async function startRealCanary(mode: RealMode, options: StartOptions): Promise<RunningCanary> {
  const dir = realDistDir(mode.name, options.distRoot);
  const manifest = readRealManifest(mode.name, options.distRoot);
  if (!manifest || !existsSync(join(dir, manifest.entry))) {
    throw new NotBuiltError(options.distRoot
      ? `real build ${mode.name} is not built in ${dir} (no ${MANIFEST_FILE}); build its release point with \`npx wrh releases\``
      : `real build ${mode.name} is not built (no ${join(dir, MANIFEST_FILE)}); run \`npx wrh build --variant ${mode.name}\``);
  }
  if (options.strategy && options.strategy !== mode.recovery) {
    throw new StrategyMismatchError(`strategy ${options.strategy} cannot run ${mode.name}: its worker-build mode recovers by ${mode.recovery}`);
  }
  if (options.mutants?.length) {
    throw new StrategyMismatchError(`mutants belong to the reference runtime; ${mode.name} is a real workers-rs build`);
  }
  const { compatibilityDate, compatibilityFlags } = await readWorkerRuntimeConfig();
  // Each worker parks in the scope of the isolate the harness calls it by (./park-service.js).
  const worker = (name: string, isolate: Isolate): WorkerOptions => ({
    name,
    modules: true,
    scriptPath: join(dir, manifest.entry),
    modulesRoot: dir,
    modulesRules: [{ type: "CompiledWasm" as const, include: ["**/*.wasm"] }],
    compatibilityDate,
    compatibilityFlags,
    bindings: {
      WRH_PARK_SCOPE: isolate,
      ...(options.parkTimeoutMs === undefined ? {} : { WRH_PARK_TIMEOUT_MS: String(options.parkTimeoutMs) }),
    },
    serviceBindings: { PARK: PARK_SERVICE.name },
  });
  const object = (className: string, scriptName?: string) =>
    ({ className, useSQLite: true, unsafePreventEviction: true, ...(scriptName ? { scriptName } : {}) });
  const objects = (scriptName?: string) => ({ COUNTER: object("Counter", scriptName), MY_CLASS: object("MyClass", scriptName) });
  const topology = options.topology ?? "shared";
  const running = await launch(`real build ${mode.name}`, topology === "shared"
    ? [{ ...worker(`canary-${mode.name}`, "handler"), durableObjects: objects() }]
    : [
        { ...worker(`canary-${mode.name}`, "handler"), durableObjects: objects(OBJECTS_WORKER) },
        { ...worker(OBJECTS_WORKER, "objects"), durableObjects: objects() },
      ], options.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS, [PARK_SERVICE]);
  return { ...running, manifest, strategy: mode.recovery };
}

/**
 * Where the real canary's parked requests wait: a worker of the harness's own that holds each
 * park's subrequest open until the release, so a park waits on I/O as a real sibling does and
 * outlives a reset of the canary's instance. `request.signal` tells it when a parked request is gone.
 */
const PARK_SERVICE = {
  name: "wrh-park",
  modules: true,
  scriptPath: join(import.meta.dirname, "park-service.js"),
  compatibilityDate: "2025-09-01",
  compatibilityFlags: ["enable_request_signal"],
} satisfies WorkerOptions;

/** What Miniflare needs to run one worker. */
export type WorkerOptions = Extract<NonNullable<MiniflareOptions["workers"]>[number], { scriptPath?: string }>;

/**
 * The workerd processes this process started (and has not seen exit). Read from /proc, not with
 * pgrep: every start asks twice, and a child process per ask blocked Node for ~10 s of a matrix.
 */
export function ownWorkerd(): Set<number> {
  const own = new Set<number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "latin1");
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ")".
    const close = stat.lastIndexOf(")");
    const [, ppid] = stat.slice(close + 2).split(" ");
    if (Number(ppid) === process.pid && stat.slice(stat.indexOf("(") + 1, close) === "workerd") own.add(Number(entry));
  }
  return own;
}

let launching: Promise<unknown> = Promise.resolve();

/** Starts one workerd for `workers`; its process ids are the children that appeared meanwhile. */
async function start(label: string, workers: WorkerOptions[], services: WorkerOptions[], output: string[]): Promise<{ mf: Miniflare; pids: number[]; driver: URL }> {
  const before = ownWorkerd();
  const mf = new Miniflare({
    log: new Log(LogLevel.WARN),
    cf: false,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
      stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    },
    workers: [...workers, driverWorker(workers[0]!.name!, workers[1]?.name), ...services],
  });
  try {
    await mf.ready;
  } catch (error) {
    // Disposing re-raises the start failure; the process is gone either way.
    await mf.dispose().catch(() => {});
    // One line: Miniflare's summary and the first error workerd printed (without its stack).
    const text = `${(error as Error).message}\n${output.join("")}`;
    const cause = text.split("\n").find((line) => /error/i.test(line) && !line.startsWith("The Workers runtime failed"));
    const summary = (error as Error).message.split("\n")[0];
    throw new HarnessError(`workerd could not start ${label}: ${summary}${cause ? ` — ${cause.replace(/ stack: .*/, "").trim().slice(0, 400)}` : ""}`);
  }
  return { mf, pids: [...ownWorkerd()].filter((pid) => !before.has(pid)), driver: await mf.unsafeGetDirectURL(DRIVER_NAME) };
}

/**
 * Starts `workers` in one workerd (the first is the entry; in the split topology the second
 * hosts the Durable Objects), with `services` beside them for them to bind, and wraps it with
 * deadlines and output capture. Durable Objects should set `unsafePreventEviction`: eviction
 * after 10 s idle would look exactly like a reset.
 */
export async function launch(
  label: string, workers: WorkerOptions[], deadlineMs = DEFAULT_REQUEST_DEADLINE_MS, services: WorkerOptions[] = [],
): Promise<RunningWorker> {
  const output: string[] = [];
  const topology: Topology = workers.length > 1 ? "split" : "shared";
  // Starts take turns, so the workerd that appears during one is that start's own: of several
  // running at once (a parallel matrix), one can be killed without touching the others.
  const turn = launching.then(() => start(label, workers, services, output));
  launching = turn.catch(() => {});
  const { mf, pids, driver } = await turn;
  let disposed: Promise<void> | undefined;
  const agent = driverAgent();
  // The deadline covers the whole exchange, body included: a response whose headers came but
  // whose body never ends must not stall the harness (aborting the signal alone does not end
  // such a read). `send` reads the body, so callers get it without waiting again.
  const withDeadline = async (path: string, send: (signal: AbortSignal) => Promise<Response>, deadline: Deadline = deadlineMs) => {
    const controller = new AbortController();
    const { expired, clear } = expiry(deadline, path, () => controller.abort());
    try {
      return await Promise.race([send(controller.signal), expired]);
    } finally {
      clear();
    }
  };
  const fetch = (path: string, init: RequestInit = {}) => withDeadline(path, async (signal) => {
    const response = await mf.dispatchFetch(new URL(path, "http://canary.test"), { ...init, signal });
    return whole(response, await response.arrayBuffer());
  });
  // The harness's own requests go through the driver (./driver.ts) on kept-alive connections.
  const viaDriver = (path: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    driverGet(agent, driver, path, headers, signal).then((answer) => whole(answer, answer.body));
  const stop = () => (disposed ??= (agent.destroy(), mf.dispose()));
  return {
    topology,
    deadlineMs,
    fetch,
    async *sequence(isolate, paths) {
      const { expired, clear } = expiry(deadlineMs, SEQUENCE_PATH);
      // In the shared topology the driver has no objects' binding and sends everything to the entry.
      const body = JSON.stringify({ isolate, paths, deadlineMs } satisfies SequenceRequest);
      let response: Response;
      try {
        // fetch, not the driver's GET: its answer is read as a stream, line by line.
        const sent = globalThis.fetch(new URL(SEQUENCE_PATH, driver), { method: "POST", body, headers: { "accept-encoding": "identity" } });
        response = await Promise.race([sent as unknown as Promise<Response>, expired]);
      } finally {
        clear();
      }
      if (response.status !== 200 || !response.body) throw new Error(`the in-workerd client answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
      // Each line takes at most the deadline; past it and a margin, workerd is not running the driver.
      yield* sequenceLines(response.body, deadlineMs + STALL_MARGIN_MS);
    },
    bare: (path) => viaDriver(path),
    fetchIsolate: (isolate, path, deadline = deadlineMs) => withDeadline(path, (signal) => viaDriver(path, { [ISOLATE_HEADER]: isolate }, signal), deadline),
    async responsive(timeoutMs = 2_000) {
      try {
        // Any answer proves workerd is alive (a worker without harness routes answers 404);
        // only silence means a hung isolate is blocking the process.
        await withDeadline("/__harness/info", (signal) => viaDriver("/__harness/info", {}, signal), timeoutMs);
        return true;
      } catch {
        return false;
      }
    },
    output: () => output.join(""),
    dispose: stop,
    kill() {
      // Miniflare starts a new workerd when its process dies, unless it is being disposed.
      stop().catch(() => {});
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    },
  };
}

/** Runs `body` against a freshly started canary and always stops it afterwards. */
export async function withCanary<T>(options: StartOptions, body: (worker: RunningCanary) => Promise<T>): Promise<T> {
  const worker = await startCanary(options);
  try {
    return await body(worker);
  } finally {
    await worker.dispose();
  }
}
