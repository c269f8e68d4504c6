// `wrh run` and `wrh list`.
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { VARIANT_NAMES } from "../build/variants.ts";
import { REAL_MODE_NAMES } from "../build/real-build.ts";
import { suggestion } from "../engine/field-checker.ts";
import { loadScenarios } from "../engine/load-scenarios.ts";
import { ALL_BUILDS, type OwnWorkerTarget, type ProgressEvent, runMatrix } from "../matrix/matrix.ts";
import { type BuildName } from "../history/run.ts";
import { type MatrixResult } from "../checkers/index.ts";
import { fitDeadline, preflight, strategyFrom } from "../profile/preflight.ts";
import { DEFAULT_PROFILE, loadProfile } from "../profile/profile.ts";
import { TOPOLOGIES, type Scenario, type Topology } from "../history/scenario.ts";
import { MUTANT_NAMES, type Mutant, STRATEGIES, type Strategy } from "../protocol/recovery.ts";
import { IN_CLONE, onlyInClone } from "../project.ts";
import { drawnInFull } from "../report/html.ts";
import { verdictLabel } from "../report/table.ts";
import { exitStatus } from "../checkers/verdict.ts";
import { outputDir, timestamp, writingInto } from "./output-dir.ts";
import { REPORTS, writeReports } from "./report-command.ts";
import { COMMAND_OPTIONS, DEFAULT_PARALLEL, pick, UsageError } from "./usage.ts";
import { duration } from "../duration.ts";

/** The scenarios `--scenario-file` and `--only-file` select: the catalog and the files, or the files only. */
export async function scenariosFrom(values: { "scenario-file"?: string[]; "only-file"?: boolean }): Promise<Scenario[]> {
  const files = values["scenario-file"] ?? [];
  if (values["only-file"] && files.length === 0) throw new UsageError("--only-file needs --scenario-file: it leaves out the built-in catalog");
  return loadScenarios(files.map((file) => resolve(file)), { catalog: !values["only-file"] });
}

/** The scenarios `--scenario` names (all of them when it is not given); a name not in `all` is bad input. */
export function selectScenarios(all: readonly Scenario[], wanted: readonly string[] | undefined): Scenario[] {
  for (const name of wanted ?? []) {
    if (!all.some((s) => s.name === name)) throw new UsageError(`--scenario ${name}: no such scenario${suggestion(name, all.map((s) => s.name))}; \`wrh list\` shows them`);
  }
  return wanted ? all.filter((s) => wanted.includes(s.name)) : [...all];
}

/** `--repeat`: a positive integer, or undefined when not given. */
export function repeatOption(text: string | undefined): number | undefined {
  const repeat = text === undefined ? undefined : Number(text);
  if (repeat !== undefined && (!Number.isInteger(repeat) || repeat < 1)) throw new UsageError("--repeat must be a positive integer");
  return repeat;
}

/** `--parallel`: a positive integer; two workerd per core when not given. */
export function parallelOption(text: string | undefined): number {
  const parallel = text === undefined ? DEFAULT_PARALLEL : Number(text);
  if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError("--parallel must be a positive integer (workerd processes at once)");
  return parallel;
}

/** `--deadline`: seconds (a positive number) a request may take; the runner's default when not given. */
export function deadlineOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0.1) throw new UsageError("--deadline must be a number of seconds, at least 0.1 (how long a request may take)");
  return Math.round(seconds * 1000);
}

/** Minutes and seconds, as a progress line says how long is left. */

/** Prints each progress event to stderr with an estimate of the time left (from the runs so far). */
export function progressReporter(): (event: ProgressEvent) => void {
  const started = performance.now();
  return (event) => {
    const left = event.done && event.done < event.total ? ` (~${duration(((performance.now() - started) / event.done) * (event.total - event.done))} left)` : "";
    process.stderr.write(`${progressLine(event)}${left}\n`);
  };
}

export function progressLine(event: ProgressEvent): string {
  const counter = `[${event.done}/${event.total}]`;
  if (event.note) return `${counter} note: ${event.note}`;
  const r = event.result!;
  return `${counter} ${verdictLabel(r)} ${r.runId}${r.error ? `: ${r.error}` : ""}`;
}

export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: COMMAND_OPTIONS.run,
  });
  const all = await scenariosFrom(values);
  const scenarios = selectScenarios(all, values.scenario);
  const repeat = repeatOption(values.repeat);
  const parallel = parallelOption(values.parallel);
  const requestDeadlineMs = deadlineOption(values.deadline);
  const reports = pick(values.report, REPORTS, "report") ?? [];
  const strategies = pick(values.strategy, STRATEGIES, "strategy") as Strategy[] | undefined;
  const ownWorker = values.worker === undefined
    ? undefined
    : await ownWorkerTarget(values.worker, values.profile, strategies, { variant: values.variant, mutant: values.mutant }, {
        expect: expectOption(values.expect), requestDeadlineMs,
      });
  if (!ownWorker && values.expect !== undefined) throw new UsageError("--expect needs --worker: a canary build is always judged by both contracts");
  if (!ownWorker && values.profile !== undefined) throw new UsageError("--profile needs --worker: a profile maps the scenarios onto your worker's routes");
  if (!ownWorker && !IN_CLONE) throw new UsageError(onlyInClone("wrh run without --worker"));
  // Mutants live in the reference runtime: with them, the default is its builds only.
  const variants = builds(values.variant, values.mutant?.length ? VARIANT_NAMES : ALL_BUILDS);
  const topologies = pick(values.topology, TOPOLOGIES, "topology") as Topology[] | undefined;
  const mutants = pick(values.mutant, MUTANT_NAMES, "mutant") as Mutant[] | undefined;
  const timelines = values.timeline ?? [];
  const out = outputDir(values.out, timestamp());
  return writingInto(out, async () => {
    const matrix: MatrixResult = await runMatrix({
      scenarios,
      strategies,
      variants,
      topologies,
      mutants,
      repeat,
      parallel,
      requestDeadlineMs: ownWorker?.requestDeadlineMs ?? requestDeadlineMs,
      ownWorker,
      historyFile: join(out, "history.jsonl"),
      keepRecords: (result, total) => drawnInFull(result, total, timelines),
      onProgress: progressReporter(),
    });
    writeReports(matrix, out, reports, { written: [join(out, "history.jsonl")], timelines, strict: values.strict });
    return exitStatus(matrix, values["require-observed"], values.strict);
  });
}

/** `--variant` values: build names, or `reference` / `real` for every build of that kind. */
export function builds(values: string[] | undefined, fallback: readonly BuildName[]): BuildName[] {
  const groups: Record<string, readonly BuildName[]> = { reference: VARIANT_NAMES, real: REAL_MODE_NAMES };
  const names = pick(values, [...ALL_BUILDS, ...Object.keys(groups)], "variant");
  return names ? [...new Set(names.flatMap((name) => groups[name] ?? [name as BuildName]))] : [...fallback];
}


/**
 * Reads `--worker` and `--profile` into a target: the profile loaded and validated, the
 * strategy given (one) or detected. Options that only make sense for the canary are refused;
 * a worker that is not there is reported by the matrix before anything runs.
 */
export async function ownWorkerTarget(
  worker: string, profileName: string | undefined, strategies: Strategy[] | undefined, canaryOnly: Record<string, unknown[] | undefined>,
  options: Pick<OwnWorkerTarget, "expect"> & { requestDeadlineMs?: number } = {},
): Promise<OwnWorkerTarget & { requestDeadlineMs: number }> {
  for (const [option, value] of Object.entries(canaryOnly)) {
    if (value?.length) throw new UsageError(`--${option} applies to the canary builds, not to --worker (your worker is one build)`);
  }
  if (strategies && strategies.length > 1) throw new UsageError("--worker runs under one strategy: the one its build uses (reset or unwind)");
  const profile = loadProfile(profileName ?? DEFAULT_PROFILE);
  const checked = await preflight(worker, profile, options.requestDeadlineMs);
  const strategy = strategies?.[0] ?? strategyFrom(checked, profile);
  if (!strategies) process.stderr.write(`wrh: ${worker} answers a panic like a ${strategy === "unwind" ? "panic=unwind" : "panic=abort"} build: judging it under ${strategy}\n`);
  const deadline = fitDeadline(checked, options.requestDeadlineMs);
  process.stderr.write(`wrh: ${deadline.note}\n`);
  return { path: worker, profile, strategy, ...(options.expect ? { expect: options.expect } : {}), requestDeadlineMs: deadline.ms };
}

/** `--expect`: which promises a worker of your own answers to. */
export function expectOption(value: string | undefined): OwnWorkerTarget["expect"] {
  if (value === undefined || value === "contract" || value === "upstream") return value;
  throw new UsageError(`--expect ${value}: give contract (the recovery contract alone) or upstream (upstream's promises beside it)`);
}

export async function listCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: COMMAND_OPTIONS.list });
  for (const s of await scenariosFrom(values)) {
    const fault = `${s.fault.kind} in ${s.fault.place}${s.fault.place === "reentrant" ? ` (depth ${s.fault.depth}, at ${s.fault.at}${s.fault.swallow ? ", swallowed" : ""})` : ""}`;
    const asleep = s.workload.asleep ? `, ${s.workload.asleep} asleep on a timer` : "";
    const workload = `in flight ${s.workload.inflight?.handler ?? 0}+${s.workload.inflight?.object ?? 0}${asleep}, later ${s.workload.later?.handler ?? 0}+${s.workload.later?.object ?? 0} (handler+object)`;
    process.stdout.write(`${s.name}\n  ${s.description}\n  fault: ${fault}; ${workload}\n`);
    for (const [strategy, e] of Object.entries(s.expect)) {
      process.stdout.write(`  ${strategy.padEnd(6)} fault → ${e.fault.join("|")}; ${e.reset ? "reset" : "no reset"}; in flight ${e.inflight}; later ${e.later}\n`);
    }
  }
  return 0;
}
