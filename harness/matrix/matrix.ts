// Runs scenarios across builds, strategies and topologies: the programmatic API behind
// `wrh run` and the vitest specs. It sits above every stage: it starts workers (runner),
// executes and records (engine), then judges (checkers); nothing judges while a scenario runs.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { readManifest } from "../build/manifest.ts";
import { REAL_MODE_NAMES, readRealManifest, realModeByName } from "../build/real-build.ts";
import { VARIANT_NAMES } from "../build/variants.ts";
import { judgeRun, type MatrixResult, type RunResult } from "../checkers/index.ts";
import { countRuns } from "../checkers/verdict.ts";
import { CANARY_CLIENT, type Client } from "../engine/client.ts";
import { executeScenario, InterleavingError, parkedNow, runObjects, slowestAnswer } from "../engine/execute.ts";
import { REAL_CLIENT } from "../engine/real-client.ts";
import { appendHistory } from "../history/file.ts";
import { type BuildInfo, type BuildName, OWN_WORKER, type RunConfig, runId, type ScenarioRun } from "../history/run.ts";
import { type Scenario, TOPOLOGIES, type Topology } from "../history/scenario.ts";
import { fitScenario } from "../profile/fit-scenario.ts";
import { proveFit } from "../profile/preflight.ts";
import { profileClient } from "../profile/profile-client.ts";
import type { Profile } from "../profile/profile.ts";
import { defaultStrategyFor, type Mutant, STRATEGIES, type Strategy, strategyFitsBuild } from "../protocol/recovery.ts";
import { HarnessError, InputError } from "../errors.ts";
import { type ResolvedWorker, resolveOwnWorker, startOwnWorker } from "../runner/own-worker.ts";
import { type RunningWorker, startCanary } from "../runner/start-worker.ts";
import { runDealer } from "./run-dealer.ts";
import { duration } from "../duration.ts";

/** Every build the matrix can run: the reference runtime's variants, then real workers-rs's modes. */
export const ALL_BUILDS: readonly BuildName[] = [...VARIANT_NAMES, ...REAL_MODE_NAMES];

export interface MatrixOptions {
  scenarios: readonly Scenario[];
  /** Builds to run; the reference variants by default. */
  variants?: readonly BuildName[];
  strategies?: readonly Strategy[];
  topologies?: readonly Topology[];
  /** Runs per configuration; overrides each scenario's own `repeats`. */
  repeat?: number;
  /** Test-only: bug classes to put into the runtime. */
  mutants?: readonly Mutant[];
  /** Where the real builds are: dist/ by default; a release point's folder (harness/releases/). */
  distRoot?: string;
  /** Varies the data siblings carry (see RunConfig.seed). */
  seed?: number;
  requestDeadlineMs?: number;
  parkTimeoutMs?: number;
  /**
   * Milliseconds one run may take, start to judgement (default 120 s). A run that stalls past
   * it is a harness error naming the run; its workerd is stopped and the matrix goes on.
   */
  runDeadlineMs?: number;
  /** JSON-lines file every run is appended to (see harness/history/record.ts). */
  historyFile?: string;
  /**
   * Which runs keep their records in the result (all by default): a matrix of thousands of runs
   * keeps only those its report will draw, the history file has them all. `total`: runs planned.
   */
  keepRecords?: (result: RunResult, total: number) => boolean;
  /**
   * Run against a worker of your own instead of the canary builds: the scenarios its profile
   * supports, under the one strategy its build uses (variants, topologies and mutants do not apply).
   */
  ownWorker?: OwnWorkerTarget;
  onProgress?: (event: ProgressEvent) => void;
  /**
   * workerd processes running at once (default 1). Runs of one configuration share a workerd, in
   * order; once no configuration is left to start, a free process takes the second half of the
   * longest queue on a workerd of its own (see runDealer).
   */
  parallel?: number;
}

export interface OwnWorkerTarget {
  /** Its wrangler config or a directory of built output. */
  path: string;
  profile: Profile;
  /** What its build promises: reset (panic=abort, workers-rs's default) or unwind. */
  strategy: Strategy;
  /**
   * `upstream`: judge it by upstream's promises beside the contract, as a real build is (a
   * break of the contract alone is a known limitation when the finding registry names it).
   * `contract` (default): by the contract alone.
   */
  expect?: "contract" | "upstream";
}

export interface ProgressEvent {
  done: number;
  total: number;
  result?: RunResult;
  /** Something the runner did about workerd (replaced a hung or dead process, …). */
  note?: string;
}

export class MatrixInputError extends InputError {
  override name = "MatrixInputError";
}

export { HarnessError };

const DEFAULT_RUN_DEADLINE_MS = 120_000;
const START_DEADLINE_MS = 60_000;
const STOP_DEADLINE_MS = 15_000;

/** `work`, or a HarnessError once `ms` pass without it settling: nothing the harness awaits may hang. */
async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HarnessError(`${what}: no progress within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

interface Configuration {
  variant: BuildName;
  strategy: Strategy;
  topology: Topology;
}

/** The configurations a request expands to: every strategy each selected build supports. */
export function configurations(options: Pick<MatrixOptions, "variants" | "strategies" | "topologies">): Configuration[] {
  const configs: Configuration[] = [];
  for (const variant of options.variants ?? VARIANT_NAMES) {
    const real = realModeByName(variant);
    if (real) {
      // A real build recovers the one way its worker-build mode compiled in.
      if ((options.strategies ?? STRATEGIES).includes(real.recovery)) {
        for (const topology of options.topologies ?? TOPOLOGIES) configs.push({ variant, strategy: real.recovery, topology });
      }
      continue;
    }
    const manifest = readManifest(variant);
    const panic = manifest?.panicStrategy ?? (variant === "abort" ? "abort" : "unwind");
    for (const strategy of options.strategies ?? STRATEGIES) {
      if (!strategyFitsBuild(strategy, panic)) continue;
      for (const topology of options.topologies ?? TOPOLOGIES) configs.push({ variant, strategy, topology });
    }
  }
  if (configs.length === 0) {
    const strategies = (options.strategies ?? STRATEGIES).join(", ");
    throw new MatrixInputError(`no build in ${(options.variants ?? VARIANT_NAMES).join(", ")} runs strategy ${strategies}; ` +
      `none and reset run the abort build, unwind runs unwind or unwind-exnref, and each real build runs the one its mode recovers by ` +
      `(real-abort: reset, real-unwind and real-unwind-exnref: unwind, real-legacy: none); e.g. --variant abort --strategy ${defaultStrategyFor("abort")}`);
  }
  return configs;
}

/** Who speaks to a build: the reference canary's protocol, or the real canary's reading of it. */
export function clientForBuild(variant: string): Client {
  return realModeByName(variant) ? REAL_CLIENT : CANARY_CLIENT;
}

/** Asks every isolate of the canary for a new instance; false when one does not answer. */
async function freshInstances(worker: RunningWorker): Promise<boolean> {
  const isolates = worker.topology === "split" ? (["handler", "objects"] as const) : (["handler"] as const);
  try {
    for (const isolate of isolates) if ((await worker.fetchIsolate(isolate, "/__harness/fresh")).status !== 200) return false;
    return true;
  } catch {
    return false;
  }
}

/**
 * Times a run is tried when the harness could not do it as asked: its operations could not be
 * put in order (then a harness error), or its own event loop stalled (then judged anyway).
 */
const RUN_ATTEMPTS = 3;

/** A stall of the harness's event loop longer than this makes a run's timings untrustworthy. */
const HARNESS_STALL_MS = 500;

/** Times a park count is asked before the worker counts as unable to give it (a count can fail once after a fault). */
const PROBE_ATTEMPTS = 5;

/**
 * Why `worker` can no longer serve the next run, or undefined when it can: what a run asks
 * first (every isolate's park count) no longer answers. A run that broke the worker this way
 * must not hand it on: the next run would fail before the worker could be judged.
 */
async function unableToServe(worker: RunningWorker, client: Client): Promise<string | undefined> {
  if (!client.park) return undefined;
  const isolates = worker.topology === "split" ? (["handler", "objects"] as const) : (["handler"] as const);
  for (const isolate of isolates) {
    let answered = false;
    for (let attempt = 0; attempt < PROBE_ATTEMPTS && !answered; attempt++) answered = (await parkedNow(worker, client.park, isolate)) !== undefined;
    if (!answered) return `the ${isolate} isolate no longer says how many requests it has parked (${client.park.count.path} failed ${PROBE_ATTEMPTS} times)`;
  }
  return undefined;
}

/** How a real build was made, from its manifest: recorded in each of its runs' history. */
export function buildInfo(variant: string, distRoot?: string): BuildInfo | undefined {
  const manifest = realModeByName(variant) ? readRealManifest(variant, distRoot) : undefined;
  if (!manifest) return undefined;
  const { versions } = manifest;
  return {
    rustc: versions.rustc, toolchain: manifest.toolchainKind ?? "unknown", wasmOpt: manifest.wasmOpt,
    worker: versions.worker, workerBuild: versions.workerBuild, wasmBindgen: versions.wasmBindgen,
  };
}

/** A run the harness could not complete: its history says why and holds no records. */
function failedRun(scenario: Scenario, config: RunConfig, error: unknown): ScenarioRun {
  return { runId: runId(scenario, config), scenario, config, records: [], output: "", error: error instanceof Error ? error.message : String(error) };
}

/** One run of a matrix: a scenario under one configuration, the `repeat`-th time. */
export interface PlannedRun {
  config: Omit<RunConfig, "mutants" | "repeat">;
  scenario: Scenario;
  repeat: number;
  /** What a worker of your own could not do of the scenario (see fitScenario). */
  leftOut?: string[];
}

/** The runs a matrix will do, in order, and what it leaves out and why. */
export interface MatrixPlan {
  runs: PlannedRun[];
  notes: string[];
}

/**
 * The runs `options` ask for; for your own worker, the scenarios its profile can run, fitted to
 * it. Throws MatrixInputError when that is none.
 */
export function planMatrix(options: MatrixOptions): MatrixPlan {
  const own = options.ownWorker;
  // A worker of your own with a Durable Object runs in both topologies unless told otherwise.
  const ownTopologies = options.topologies ?? (own?.profile.object ? TOPOLOGIES : ["shared"]);
  const configs: PlannedRun["config"][] = own
    ? ownTopologies.map((topology) => ({ variant: OWN_WORKER, strategy: own.strategy, topology }))
    : configurations(options);
  const notRun = new Map<string, string[]>();
  const client = own ? profileClient(own.profile) : CANARY_CLIENT;
  const fitted = options.scenarios.flatMap((scenario): { scenario: Scenario; leftOut?: string[] }[] => {
    if (!own) return [{ scenario }];
    const fit = fitScenario(scenario, client);
    if (!fit.runs) notRun.set(fit.reason, [...(notRun.get(fit.reason) ?? []), scenario.name]);
    return fit.runs ? [{ scenario: fit.scenario, leftOut: fit.leftOut }] : [];
  });
  const runs = configs.flatMap((config) =>
    fitted
      .filter(({ scenario: s }) => s.expect[config.strategy] && (s.topologies ?? TOPOLOGIES).includes(config.topology))
      .flatMap(({ scenario, leftOut }) =>
        Array.from({ length: options.repeat ?? scenario.repeats ?? 1 }, (_, i) => ({ config, scenario, repeat: i + 1, leftOut }))),
  );
  const notes = [...notRun].map(([reason, scenarios]) => `not run, ${reason}: ${scenarios.join(", ")}`);
  if (runs.length === 0) {
    throw new MatrixInputError(own
      ? `profile ${own.profile.name} supports none of the selected scenarios under ${own.strategy}${notes.length ? ` (${notes.join("; ")})` : ""}`
      : "the selected scenarios have no expectation for the selected strategies and topologies");
  }
  return { runs, notes };
}

/** Every Durable Object name the runs of `plan` will address, in the engine's naming. */
export function plannedObjects(plan: MatrixPlan): string[] {
  const names = plan.runs.flatMap(({ scenario, config, repeat }) => Object.values(runObjects(scenario, { ...config, mutants: [], repeat })));
  return [...new Set(names.filter((name): name is string => name !== undefined))];
}

/**
 * For a worker of your own, proves before any run that the requests the plan sends that must
 * succeed do (`proveFit`): a profile that does not fit is a ProfileMismatchError, never a
 * column of broken guarantees.
 */
export async function proveOwnFit(options: MatrixOptions, plan: MatrixPlan): Promise<void> {
  const own = options.ownWorker;
  if (own) await proveFit(own.path, own.profile, plannedObjects(plan), options.requestDeadlineMs);
}

/**
 * Does the runs of a plan one at a time, in any order and subset (a vitest test per run, or a
 * whole matrix), keeping one workerd per configuration between consecutive runs of it.
 */
export interface MatrixSession {
  /** Runs one planned run and judges it; appends its history when the options name a file. */
  run(planned: PlannedRun): Promise<RunResult>;
  /** What the session noticed about workerd on the way (a hung process replaced, …). */
  readonly notes: readonly string[];
  /** Stops the workerd it holds. */
  close(): Promise<void>;
}

/**
 * A session for the runs of `options` (`total`: how many the caller will do, for progress;
 * `tally`: the runs done so far, shared by the sessions of one parallel matrix).
 */
export function matrixSession(options: MatrixOptions, total: number, tally = { done: 0 }): MatrixSession {
  const mutants = options.mutants ?? [];
  const own = options.ownWorker;
  const ownClient = own && profileClient(own.profile);
  const notes: string[] = [];
  const note = (text: string) => {
    notes.push(text);
    options.onProgress?.({ done: tally.done, total, note: text });
  };
  // Read once: under `none` a worker of your own is started again for every run.
  let resolvedOwn: Promise<ResolvedWorker> | undefined;
  const start = async (config: PlannedRun["config"]) => own
    ? startOwnWorker(await (resolvedOwn ??= resolveOwnWorker(own.path, own.profile)), options.requestDeadlineMs, config.topology)
    : startCanary({
        ...config, variant: config.variant as BuildName, mutants, requestDeadlineMs: options.requestDeadlineMs, parkTimeoutMs: options.parkTimeoutMs,
        distRoot: options.distRoot,
      });

  let current: { key: string; worker: RunningWorker } | undefined;
  // Read once per build: a manifest does not change while the matrix runs.
  const builds = new Map<string, BuildInfo | undefined>();
  const release = async () => {
    const worker = current?.worker;
    current = undefined;
    if (worker) await within(worker.dispose(), STOP_DEADLINE_MS, "stopping workerd").catch(() => worker.kill());
  };
  const runDeadlineMs = options.runDeadlineMs ?? DEFAULT_RUN_DEADLINE_MS;
  const run = async ({ config, scenario, repeat, leftOut }: PlannedRun): Promise<RunResult> => {
    const key = `${config.variant}/${config.strategy}/${config.topology}`;
    if (current && current.key !== key) await release();
    // A run under `none` may poison the instance for good: every such run starts on a new one
    // (a new workerd for a worker of your own, which has no harness routes).
    if (current && config.strategy === "none" && (own || !(await freshInstances(current.worker)))) await release();
    const workerd = async () => (current ??= { key, worker: await within(start(config), START_DEADLINE_MS, `starting workerd for ${key}`) }).worker;
    await workerd();
    const runConfig: RunConfig = { ...config, mutants, repeat, ...(options.seed === undefined ? {} : { seed: options.seed }) };
    let history: ScenarioRun;
    try {
      const client = ownClient ?? clientForBuild(config.variant);
      if (!builds.has(config.variant)) builds.set(config.variant, buildInfo(config.variant, options.distRoot));
      const build = builds.get(config.variant);
      for (let attempt = 1; ; attempt++) {
        // The attempt before may have left the worker as its fault did (under `none`, poisoned):
        // each attempt starts on a workerd of its own, as a new run would.
        if (attempt > 1) await release();
        const worker = await workerd();
        // The harness's own event loop, watched while the run goes on: when it stalls, its
        // deadlines fire late and its readings of when answers came are late too.
        const lag = monitorEventLoopDelay({ resolution: 20 });
        lag.enable();
        try {
          const execution = executeScenario(worker, scenario, runConfig, { client });
          history = {
            ...(await within(execution, runDeadlineMs, "the run")), leftOut, ...(build ? { build } : {}), ...(own?.expect === "upstream" ? { expect: "upstream" as const } : {}),
          };
        } catch (error) {
          if (!(error instanceof InterleavingError) || attempt === RUN_ATTEMPTS) throw error;
          note(`${runId(scenario, runConfig)}: ${error.message}; running it again`);
          continue;
        } finally {
          lag.disable();
        }
        const stalledMs = Math.round(lag.max / 1e6);
        if (stalledMs <= HARNESS_STALL_MS) break;
        if (attempt === RUN_ATTEMPTS) {
          note(`${history.runId}: the harness's own event loop stalled ${stalledMs} ms in each of ${RUN_ATTEMPTS} attempts (the machine is overloaded); judged on the last, whose timings may be late`);
          break;
        }
        note(`${history.runId}: the harness's own event loop stalled ${stalledMs} ms during the run, so its deadlines and timings were late; running it again`);
      }
    } catch (error) {
      history = failedRun(scenario, runConfig, error);
      // A stalled run may still hold workerd: the next run gets a fresh one.
      if (error instanceof HarnessError) await release();
    }
    if (options.historyFile) appendHistory(options.historyFile, history);
    const slowest = current && slowestAnswer(history.records, current.worker.deadlineMs);
    if (slowest && slowest.ms > slowest.deadlineMs / 2) {
      note(`${history.runId}: ${slowest.record.kind} (#${slowest.record.id}) answered ${duration(slowest.ms)} into its ` +
        `${duration(slowest.deadlineMs)} deadline, more than half of it: a request that timed out here may have been slow rather than hung`);
    }
    const result = judgeRun(history);
    if (options.keepRecords && !options.keepRecords(result, total)) result.history = { ...history, records: [] };
    tally.done++;
    options.onProgress?.({ done: tally.done, total, result });
    const troubled = result.status !== "holds" && (result.history.records.some((r) => r.status === "timeout" || r.status === "unreachable") || result.history.records.length === 0);
    if (troubled && current && !(await current.worker.responsive())) {
      note(`workerd stopped answering during ${result.runId}; stopped it and started a fresh one`);
      await release();
    }
    // Each run is judged on its own: a worker a run left alive but unable to answer the
    // harness's probes is not handed on to the next run.
    const unable = result.status !== "holds" && current ? await unableToServe(current.worker, ownClient ?? clientForBuild(config.variant)) : undefined;
    if (unable) {
      note(`${result.runId} left the worker unable to serve another run: ${unable}; the next run gets a fresh workerd`);
      await release();
    }
    return result;
  };
  return { run, notes, close: release };
}

export async function runMatrix(options: MatrixOptions): Promise<MatrixResult> {
  const started = performance.now();
  const plan = planMatrix(options);
  await proveOwnFit(options, plan);
  for (const text of plan.notes) options.onProgress?.({ done: 0, total: plan.runs.length, note: text });
  // One queue per configuration, its runs in plan order; results go back in plan order.
  const groups = new Map<string, number[]>();
  plan.runs.forEach((planned, index) => {
    const key = `${planned.config.variant}/${planned.config.strategy}/${planned.config.topology}`;
    groups.set(key, [...(groups.get(key) ?? []), index]);
  });
  const results: RunResult[] = new Array(plan.runs.length);
  const tally = { done: 0 };
  const lanes = Array.from({ length: Math.max(1, Math.min(options.parallel ?? 1, plan.runs.length)) }, () => matrixSession(options, plan.runs.length, tally));
  // One lane goes in plan order; several start with the real builds, whose runs wait out deadlines.
  const slowFirst = lanes.length > 1 ? (queue: readonly number[]) => realModeByName(plan.runs[queue[0]!]!.config.variant) !== undefined : undefined;
  const deal = runDealer([...groups.values()], slowFirst);
  // A lane that fails (workerd would not start) stops the others at their next run.
  let failed = false;
  try {
    await Promise.all(lanes.map(async (session) => {
      try {
        for (let queue = deal(); queue && !failed; queue = deal(queue)) {
          const index = queue.shift()!;
          results[index] = await session.run(plan.runs[index]!);
        }
      } catch (error) {
        failed = true;
        throw error;
      }
    }));
  } finally {
    await Promise.all(lanes.map((session) => session.close()));
  }
  const notes = [...plan.notes, ...lanes.flatMap((session) => session.notes)];
  return { counts: countRuns(results), results, notes, durationMs: Math.round(performance.now() - started) };
}
