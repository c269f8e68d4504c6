// Every checker, applied to a run after it finished.
import type { RunConfig, ScenarioRun } from "../history/run.ts";
import type { Expectation } from "../history/scenario.ts";
import { abortHook } from "./abort-hook.ts";
import { blastRadius, blastRadiusChecker } from "./blast-radius.ts";
import { classification } from "./classification.ts";
import { destructors } from "./destructors.ts";
import { exactlyOnce } from "./exactly-once.ts";
import { faithfulErrors } from "./faithful-errors.ts";
import { faultSurfaces } from "./fault-surfaces.ts";
import { frames } from "./frames.ts";
import { freshInstance } from "./fresh-instance.ts";
import { handles } from "./handles.ts";
import { integrity } from "./integrity.ts";
import { liveness } from "./liveness.ts";
import { growthPerFault, memoryGrowth } from "./memory-growth.ts";
import { recovery, recoveryLatency } from "./recovery.ts";
import { resources } from "./resources.ts";
import { stack } from "./stack.ts";
import { stateSurvival } from "./state-survival.ts";
import { attribute } from "./findings.ts";
import { judgeUpstream } from "./upstream.ts";
import { type BreakSignal, breakSignal, type Checker, isBroken, type RunStatus, runStatus, type Verdict } from "./verdict.ts";
import { isRealBuild } from "../history/run.ts";

export const CHECKERS: readonly Checker[] = [classification, faultSurfaces, blastRadiusChecker, liveness, recovery, freshInstance, stateSurvival, exactlyOnce, integrity, abortHook, stack, destructors, resources, memoryGrowth, handles, faithfulErrors, frames];

/** Each checker's guarantee, in CHECKERS' order: what the verdict of a checker that threw is named. */
export const CHECKER_IDS = [
  "classification", "fault-surfaces", "blast-radius", "liveness", "recovery", "fresh-instance", "state", "exactly-once", "integrity",
  "abort-hook", "stack", "destructors", "resources", "memory-growth", "handles", "faithful-errors", "frames",
] as const;

/**
 * Every checker's verdict on `run`. A checker that throws (a history it cannot read) gives an
 * unknown verdict carrying the error: the harness's failure, never the worker's, and never the
 * end of the other verdicts, the matrix lane or the report.
 */
export function judge(run: ScenarioRun, checkers: readonly Checker[] = CHECKERS): Verdict[] {
  return checkers.map((check, i) => {
    try {
      return check(run);
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      return { checker: CHECKER_IDS[i] ?? check.name, status: "unknown", summary: `not judged: the checker failed on this history (${message})`, evidence: [] };
    }
  });
}

/**
 * Judges `run` as if its strategy had promised `expectation`: how negative controls ask whether
 * a run without recovery would pass for one with it.
 */
export function judgeAgainst(run: ScenarioRun, expectation: Expectation): Verdict[] {
  return judge({ ...run, scenario: { ...run.scenario, expect: { ...run.scenario.expect, [run.config.strategy]: expectation } } });
}

export type { Verdict } from "./verdict.ts";

export interface RunResult {
  runId: string;
  scenario: string;
  config: RunConfig;
  status: RunStatus;
  /** `error` runs: what went wrong in the harness. */
  error?: string;
  /** The checkers' verdicts (against the catalog's contract); empty for a run the harness could not complete. */
  verdicts: Verdict[];
  /**
   * Real workers-rs builds: the run judged against upstream's own promises (./upstream.ts);
   * empty where upstream's tests promise nothing of the scenario.
   */
  upstream?: Verdict[];
  /** Real workers-rs builds with a broken guarantee: regression, new or known (see BreakSignal). */
  signal?: BreakSignal;
  /** Siblings that failed, hung or returned wrong data. */
  blastRadius: number;
  /** Milliseconds from the fault's answer to the first successful later sibling. */
  recoveryLatencyMs?: number;
  /** Bytes of live heap the faulted isolate kept per fault (see growthPerFault), where it was measured. */
  heapBytesPerFault?: number;
  /** How many operations the run performed. */
  operations: number;
  /** Milliseconds from the first operation's start to the last one's end. */
  durationMs: number;
  /**
   * The run's history, for reports and specs. A big matrix may keep the records only of the
   * runs whose timelines it will draw (`MatrixOptions.keepRecords`); `operations` counts them all.
   */
  history: ScenarioRun;
}

/** Judges one run: what the matrix reports for it. Pure: a saved history gives the same result. */
export function judgeRun(history: ScenarioRun): RunResult {
  if (history.error !== undefined) {
    return {
      runId: history.runId, scenario: history.scenario.name, config: history.config, status: "error", error: history.error, verdicts: [], blastRadius: 0,
      operations: 0, durationMs: 0, history,
    };
  }
  const verdicts = judge(history);
  // Real builds, and a worker of your own that asks for it, answer to upstream's promises too.
  const real = isRealBuild(history.config.variant) || history.expect === "upstream";
  const upstream = real ? judgeUpstream(history) : undefined;
  if (real) for (const v of [...verdicts, ...upstream!].filter(isBroken)) v.finding = attribute(history, v);
  const signal = real ? breakSignal(verdicts, upstream!) : undefined;
  return {
    runId: history.runId, scenario: history.scenario.name, config: history.config, status: runStatus([...verdicts, ...(upstream ?? [])]), verdicts,
    ...(upstream ? { upstream } : {}), ...(signal ? { signal } : {}),
    blastRadius: blastRadius(history), recoveryLatencyMs: recoveryLatency(history), heapBytesPerFault: growthPerFault(history, "heapBytes"),
    operations: history.records.length,
    durationMs: history.records.reduce((end, r) => Math.max(end, r.end), history.records[0]?.start ?? 0) - (history.records[0]?.start ?? 0), history,
  };
}

/** What a matrix of runs came to: what the reports render. */
export interface MatrixResult {
  /** How many runs came out each way. */
  counts: Record<RunStatus, number>;
  results: RunResult[];
  /** What the runner had to do about workerd during the matrix. */
  notes: string[];
  durationMs: number;
}
