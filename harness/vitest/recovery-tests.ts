// The vitest integration: scenarios as ordinary vitest tests in the user's own vitest config, one
// test per run (scenario × strategy × topology, × repeat), so vitest's filters, reporters, retries
// and `--shard` apply to them as to any test. A spec file calls it at its top level:
//
//   import { recoveryTests } from "workers-recovery-harness/vitest";
//   await recoveryTests({ worker: "wrangler.toml" });
//
// Collection does what decides which tests exist (loading scenarios, the profile's preflight and
// its strategy); each test then does its one run and reads the checkers' verdicts. holds passes,
// broken fails with the evidence, a harness error fails saying it is the harness's, and a run
// whose guarantees were not all observed is skipped with what was not: never a pass.
import { resolve } from "node:path";
import { afterAll, describe, test, type TestContext } from "vitest";
import { VARIANT_NAMES } from "../build/variants.ts";
import { type RunResult } from "../checkers/index.ts";
import { isBroken, isUnknown, type VerdictStatus } from "../checkers/verdict.ts";
import { loadScenarios } from "../engine/load-scenarios.ts";
import { type BuildName } from "../history/run.ts";
import { type FaultKind, type Topology } from "../history/scenario.ts";
import { HarnessError, type MatrixOptions, matrixSession, planMatrix, type PlannedRun, proveOwnFit } from "../matrix/matrix.ts";
import { fitDeadline, preflight, strategyFrom } from "../profile/preflight.ts";
import { DEFAULT_PROFILE, loadProfile } from "../profile/profile.ts";
import { IN_CLONE, onlyInClone } from "../project.ts";
import { type Strategy } from "../protocol/recovery.ts";

export interface RecoveryTestsOptions {
  /**
   * Your worker: its wrangler config (bindings and compatibility from it) or a directory of
   * built output, relative to the working directory (vitest's root). Left out, only in a clone
   * of this repository: the canary builds.
   */
  worker?: string;
  /** A built-in profile's name or a profile file, mapping the scenarios onto your worker's routes; `workers-rs-test` by default. */
  profile?: string;
  /** What your worker's build promises (reset for panic=abort, unwind); the preflight detects it when left out. */
  strategy?: Strategy;
  /**
   * `upstream`: judge your worker by upstream's own promises (workers-rs's test suite) beside the
   * recovery contract; a run that breaks only the contract, each break a known finding, passes
   * with the findings noted (unless `strict`). `contract` (default): any broken guarantee fails.
   */
  expect?: "contract" | "upstream";
  /** With `expect: "upstream"`, fail known limitations too. */
  strict?: boolean;
  /**
   * Seconds a request may take before it counts as hung. Left out: 10, stretched to five times
   * the slowest fault answer of the preflight (a debug build answers many times slower).
   */
  deadline?: number;
  /** Scenario files of your own (`.ts`, `.js`, `.json`), added to the built-in catalog. */
  scenarioFiles?: string[];
  /** False: only the scenario files' scenarios. */
  catalog?: boolean;
  /** Only the scenarios of these names. */
  scenarios?: string[];
  /** Only the scenarios whose fault is of these kinds: how a suite splits into files that shard. */
  faults?: FaultKind[];
  /** Runs of each scenario; overrides each scenario's own `repeats`. */
  repeat?: number;
  /** Fail, rather than skip, a run whose guarantees were not all observed. */
  requireObserved?: boolean;
  /** JSON-lines file every run is appended to, for `wrh report`. */
  historyFile?: string;
  /** The canary builds only: which builds, strategies and topologies (every one by default). */
  builds?: readonly BuildName[];
  strategies?: readonly Strategy[];
  topologies?: readonly Topology[];
}

/** What a recovery test leaves in its task's `meta` (vitest's JSON and blob reports carry it). */
export interface RecoveryMeta {
  runId: string;
  status: RunResult["status"];
  blastRadius: number;
  /** Each checker's verdict. */
  verdicts: Record<string, VerdictStatus>;
}

declare module "vitest" {
  interface TaskMeta {
    recovery?: RecoveryMeta;
  }
}

// The session bounds every step (start 60 s, run 120 s, stop 15 s); the test's own timeout only
// backs them up.
const RUN_TIMEOUT_MS = 240_000;
const CLOSE_TIMEOUT_MS = 30_000;

/** Registers one vitest test per run the options select; call it at a spec file's top level, awaited. */
export async function recoveryTests(options: RecoveryTestsOptions): Promise<void> {
  if (Number(process.versions.node.split(".")[0]) < 22) {
    throw new Error(`workers-recovery-harness needs Node 22 or newer (miniflare does); vitest runs on Node ${process.version}`);
  }
  const all = await loadScenarios((options.scenarioFiles ?? []).map((file) => resolve(file)), { catalog: options.catalog ?? true });
  for (const name of options.scenarios ?? []) {
    if (!all.some((s) => s.name === name)) throw new Error(`recoveryTests: no scenario named ${name}`);
  }
  const scenarios = all.filter((s) => (!options.scenarios || options.scenarios.includes(s.name)) && (!options.faults || options.faults.includes(s.fault.kind)));
  const matrix: MatrixOptions = { scenarios, repeat: options.repeat, historyFile: options.historyFile && resolve(options.historyFile) };
  if (options.worker !== undefined) {
    const profile = loadProfile(options.profile ?? DEFAULT_PROFILE);
    // Before any test exists: a profile that does not fit the worker is one error, not a column of failures.
    const givenMs = options.deadline === undefined ? undefined : options.deadline * 1000;
    const checked = await preflight(options.worker, profile, givenMs);
    const strategy = options.strategy ?? strategyFrom(checked, profile);
    const deadline = fitDeadline(checked, givenMs);
    matrix.ownWorker = { path: options.worker, profile, strategy, ...(options.expect ? { expect: options.expect } : {}) };
    matrix.requestDeadlineMs = deadline.ms;
    await proveOwnFit(matrix, planMatrix(matrix));
    // Said, not put in a test's name: a name must be the same in every run (shards, merged reports).
    process.stderr.write(`workers-recovery-harness: ${options.worker}: ${deadline.note}\n`);
    describeRuns(`recovery of ${options.worker} under ${strategy}`, matrix, options);
    return;
  }
  if (!IN_CLONE) throw new Error(onlyInClone("recoveryTests without `worker`"));
  const builds = options.builds ?? VARIANT_NAMES;
  describeRuns("recovery of the canary builds", { ...matrix, variants: builds, strategies: options.strategies, topologies: options.topologies }, options);
}

function describeRuns(title: string, matrix: MatrixOptions, options: RecoveryTestsOptions): void {
  const plan = planMatrix(matrix);
  const groups = Map.groupBy(plan.runs, (run) => `${run.config.strategy} · ${run.config.variant} build · ${run.config.topology} topology`);
  describe(title, () => {
    for (const [group, runs] of groups) {
      describe(group, () => {
        // One workerd per group, started by its first test that runs and stopped after the last.
        const session = matrixSession(matrix, runs.length);
        afterAll(() => session.close(), CLOSE_TIMEOUT_MS);
        for (const run of runs) {
          const name = `${run.scenario.name}${run.repeat > 1 || (matrix.repeat ?? run.scenario.repeats ?? 1) > 1 ? ` #${run.repeat}` : ""}: ${run.scenario.description}`;
          test(name, (context) => judged(context, run, session.run(run), options), RUN_TIMEOUT_MS);
        }
      });
    }
    for (const note of plan.notes) test.skip(note);
  });
}

async function judged(context: TestContext, run: PlannedRun, pending: Promise<RunResult>, options: RecoveryTestsOptions): Promise<void> {
  const result = await pending;
  context.task.meta.recovery = {
    runId: result.runId,
    status: result.status,
    blastRadius: result.blastRadius,
    verdicts: Object.fromEntries(result.verdicts.map((v) => [v.checker, v.status])),
  };
  if (result.status === "error") throw new HarnessError(`harness error, not a verdict on the worker: ${result.error}`);
  const broken = [...result.verdicts, ...(result.upstream ?? [])].filter(isBroken);
  const lines = broken.map((v) => `  ${v.checker}${v.finding ? ` [${v.finding}]` : ""}: ${v.summary}`).join("\n");
  if (broken.length && result.signal === "known" && !options.strict) {
    await context.annotate(`known limitations (findings ${[...new Set(broken.map((v) => v.finding))].join(", ")}), upstream's promises kept:\n${lines}`);
  } else if (broken.length) {
    throw new Error(`${run.scenario.name}: broken (blast radius ${result.blastRadius}${result.signal ? `; ${result.signal}` : ""}):\n${lines}`);
  }
  const unknown = result.verdicts.filter(isUnknown);
  if (unknown.length) {
    const what = `not observed (unknown, not a pass): ${unknown.map((v) => `${v.checker}: ${v.summary}`).join("; ")}`;
    if (options.requireObserved) throw new Error(what);
    context.skip(what);
  }
}
