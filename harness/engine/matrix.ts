// Runs scenarios across builds, strategies and topologies: the programmatic API behind
// `wrh run` and the vitest specs. It executes, records and then judges; nothing judges while a
// scenario runs.
import type { VariantName } from "../build/variants.ts";
import { judge, type Verdict } from "../checkers/index.ts";
import { blastRadius } from "../checkers/blast-radius.ts";
import { recoveryLatency } from "../checkers/recovery.ts";
import { appendHistory } from "../history/record.ts";
import type { Mutant, Strategy } from "../protocol/recovery.ts";
import { type RunningWorker, startCanary } from "../runner/start-worker.ts";
import { readManifest } from "../build/manifest.ts";
import { defaultStrategyFor, strategyFitsBuild } from "../protocol/recovery.ts";
import { type RunConfig, type ScenarioRun, executeScenario, runId } from "./execute.ts";
import { type Scenario, TOPOLOGIES, type Topology } from "./scenario.ts";

export const ALL_VARIANTS: readonly VariantName[] = ["abort", "unwind", "unwind-exnref"];
export const ALL_STRATEGIES: readonly Strategy[] = ["none", "reset", "unwind"];

export interface MatrixOptions {
  scenarios: readonly Scenario[];
  variants?: readonly VariantName[];
  strategies?: readonly Strategy[];
  topologies?: readonly Topology[];
  /** Runs per configuration; overrides each scenario's own `repeats`. */
  repeat?: number;
  /** Test-only: bug classes to put into the runtime. */
  mutants?: readonly Mutant[];
  requestDeadlineMs?: number;
  parkTimeoutMs?: number;
  /** JSON-lines file every record is appended to. */
  historyFile?: string;
  onProgress?: (event: ProgressEvent) => void;
}

export interface ProgressEvent {
  done: number;
  total: number;
  result?: RunResult;
  /** Something the runner did about workerd (replaced a hung or dead process, …). */
  note?: string;
}

export interface RunResult {
  runId: string;
  scenario: string;
  config: RunConfig;
  ok: boolean;
  verdicts: Verdict[];
  /** Siblings that failed, hung or returned wrong data. */
  blastRadius: number;
  /** Milliseconds from the fault's answer to the first successful later sibling. */
  recoveryLatencyMs?: number;
  /** The run's history; kept in memory for reports and specs. */
  history: ScenarioRun;
}

export interface MatrixResult {
  ok: boolean;
  results: RunResult[];
  /** What the runner had to do about workerd during the matrix. */
  notes: string[];
  durationMs: number;
}

export class MatrixInputError extends Error {
  override name = "MatrixInputError";
}

interface Configuration {
  variant: VariantName;
  strategy: Strategy;
  topology: Topology;
}

/** The configurations a request expands to: every strategy each selected build supports. */
export function configurations(options: Pick<MatrixOptions, "variants" | "strategies" | "topologies">): Configuration[] {
  const configs: Configuration[] = [];
  for (const variant of options.variants ?? ALL_VARIANTS) {
    const manifest = readManifest(variant);
    const panic = manifest?.panicStrategy ?? (variant === "abort" ? "abort" : "unwind");
    for (const strategy of options.strategies ?? ALL_STRATEGIES) {
      if (!strategyFitsBuild(strategy, panic)) continue;
      for (const topology of options.topologies ?? TOPOLOGIES) configs.push({ variant, strategy, topology });
    }
  }
  if (configs.length === 0) {
    const strategies = (options.strategies ?? ALL_STRATEGIES).join(", ");
    throw new MatrixInputError(`no build in ${(options.variants ?? ALL_VARIANTS).join(", ")} runs strategy ${strategies}; ` +
      `none and reset run the abort build, unwind runs unwind or unwind-exnref (e.g. --variant abort --strategy ${defaultStrategyFor("abort")})`);
  }
  return configs;
}

function failedRun(scenario: Scenario, config: RunConfig, error: unknown): RunResult {
  const message = error instanceof Error ? error.message : String(error);
  const id = runId(scenario, config);
  return {
    runId: id, scenario: scenario.name, config, ok: false, blastRadius: 0,
    verdicts: [{ checker: "runner", ok: false, summary: `the run could not complete: ${message}`, evidence: [] }],
    history: { runId: id, scenario, config, records: [], output: "" },
  };
}

export async function runMatrix(options: MatrixOptions): Promise<MatrixResult> {
  const started = performance.now();
  const configs = configurations(options);
  const mutants = options.mutants ?? [];
  const plan = configs.flatMap((config) =>
    options.scenarios
      .filter((s) => s.expect[config.strategy] && (s.topologies ?? TOPOLOGIES).includes(config.topology))
      .flatMap((scenario) => Array.from({ length: options.repeat ?? scenario.repeats ?? 1 }, (_, i) => ({ config, scenario, repeat: i + 1 }))),
  );
  if (plan.length === 0) throw new MatrixInputError("the selected scenarios have no expectation for the selected strategies and topologies");

  const results: RunResult[] = [];
  const notes: string[] = [];
  const note = (text: string) => {
    notes.push(text);
    options.onProgress?.({ done: results.length, total: plan.length, note: text });
  };
  const start = (config: Configuration) => startCanary({
    ...config, mutants, requestDeadlineMs: options.requestDeadlineMs, parkTimeoutMs: options.parkTimeoutMs,
  });

  let current: { key: string; worker: RunningWorker } | undefined;
  const release = async () => {
    await current?.worker.dispose();
    current = undefined;
  };
  try {
    for (const { config, scenario, repeat } of plan) {
      const key = `${config.variant}/${config.strategy}/${config.topology}`;
      // A run under `none` may poison the instance for good: give every such run its own.
      if (current && (current.key !== key || config.strategy === "none")) await release();
      current ??= { key, worker: await start(config) };
      const runConfig: RunConfig = { ...config, mutants, repeat };
      let result: RunResult;
      try {
        const history = await executeScenario(current.worker, scenario, runConfig);
        if (options.historyFile) appendHistory(options.historyFile, history.records);
        const verdicts = judge(history);
        result = {
          runId: history.runId, scenario: scenario.name, config: runConfig, ok: verdicts.every((v) => v.ok), verdicts,
          blastRadius: blastRadius(history), recoveryLatencyMs: recoveryLatency(history), history,
        };
      } catch (error) {
        result = failedRun(scenario, runConfig, error);
      }
      results.push(result);
      options.onProgress?.({ done: results.length, total: plan.length, result });
      const troubled = !result.ok && (result.history.records.some((r) => r.status === "timeout" || r.status === "unreachable") || result.history.records.length === 0);
      if (troubled && !(await current.worker.responsive())) {
        note(`workerd stopped answering during ${result.runId}; stopped it and started a fresh one`);
        await release();
      }
    }
  } finally {
    await release();
  }
  return { ok: results.every((r) => r.ok), results, notes, durationMs: Math.round(performance.now() - started) };
}
