// What a checker says about one scenario run, and the facts checkers share about a run.
import type { ScenarioRun } from "../history/run.ts";
import { type Expectation, faultIsolate, objectIsolate } from "../history/scenario.ts";
import type { HistoryRecord, Isolate } from "../history/record.ts";
import { snapshot, type SnapshotField } from "../history/snapshot.ts";

/**
 * What a checker found:
 * - `holds`: the guarantee was observed and kept (or the scenario asks nothing of it);
 * - `broken`: observed and not kept; the evidence names the records that show it;
 * - `unknown`: not observed (the worker has no probe for it). Never a pass.
 */
export type VerdictStatus = "holds" | "broken" | "unknown";

export interface Verdict {
  /** Which guarantee: classification, fault-surfaces, blast-radius, liveness, recovery, fresh-instance, state, exactly-once, integrity, abort-hook, stack, destructors, resources, memory-growth, handles, faithful-errors, frames. */
  checker: string;
  status: VerdictStatus;
  /** One line: what holds, what broke, or why it could not be seen. */
  summary: string;
  /** Ids of the history records that show a broken guarantee. */
  evidence: number[];
  /**
   * A broken guarantee of a real workers-rs build: the findings that explain it, joined by `+`
   * (`F7`, `F1+F2`; see ./findings.ts and docs/findings.md), with `NEW` among them where no
   * finding explains a part of it.
   */
  finding?: string;
}

export type Checker = (run: ScenarioRun) => Verdict;

const EVIDENCE_SHOWN = 12;

export function verdict(checker: string, broken: HistoryRecord[], holds: string, breaks: (ids: string) => string): Verdict {
  const evidence = broken.map((r) => r.id);
  // The summary is one line in a terminal table; `evidence` keeps every id.
  const shown = evidence.slice(0, EVIDENCE_SHOWN).map((id) => `#${id}`).join(", ");
  const more = evidence.length > EVIDENCE_SHOWN ? ` and ${evidence.length - EVIDENCE_SHOWN} more` : "";
  return { checker, status: broken.length ? "broken" : "holds", summary: broken.length ? breaks(shown + more) : holds, evidence };
}

/** A guarantee the scenario asks nothing of here: it holds, and the summary says why. */
export function vacuous(checker: string, why: string): Verdict {
  return { checker, status: "holds", summary: why, evidence: [] };
}

export function unobserved(checker: string, why: string): Verdict {
  return { checker, status: "unknown", summary: `not observed: ${why}`, evidence: [] };
}

export const isBroken = (v: Verdict) => v.status === "broken";
export const isUnknown = (v: Verdict) => v.status === "unknown";

/**
 * How a run came out: `holds` (every guarantee observed and kept), `broken` (at least one
 * broke), `unknown` (none broke, some could not be observed: not a pass), or `error` (the
 * harness could not complete the run: its own failure, never the worker's).
 */
export type RunStatus = "holds" | "broken" | "unknown" | "error";

/** A run's status from its verdicts. */
export function runStatus(verdicts: readonly Verdict[]): RunStatus {
  if (verdicts.some(isBroken)) return "broken";
  return verdicts.some(isUnknown) ? "unknown" : "holds";
}

/** Counts runs by status. */
export function countRuns(results: readonly { status: RunStatus }[]): Record<RunStatus, number> {
  const counts: Record<RunStatus, number> = { holds: 0, broken: 0, unknown: 0, error: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/**
 * What a broken run of a real workers-rs build means for a maintainer:
 * - `regression`: it breaks a promise upstream's own tests make (./upstream.ts);
 * - `new`: it breaks the contract in a way no finding explains;
 * - `known`: it breaks only the contract, every break explained by a finding (a known limitation).
 */
export type BreakSignal = "regression" | "new" | "known";

/** The signal of a real build's run from its verdicts (findings attributed) and its upstream verdicts. */
export function breakSignal(verdicts: readonly Verdict[], upstream: readonly Verdict[]): BreakSignal | undefined {
  if (upstream.some(isBroken)) return "regression";
  const broken = verdicts.filter(isBroken);
  if (!broken.length) return undefined;
  return broken.some((v) => v.finding === undefined || v.finding.split("+").includes("NEW")) ? "new" : "known";
}

/**
 * The exit status a matrix earns: 3 when the harness could not complete a run (its results are
 * incomplete), 1 when a guarantee broke (or, with `requireObserved`, could not be observed),
 * 0 otherwise. A real build's run that breaks only known limitations (signal `known`) fails it
 * only when `strict`.
 */
export function exitStatus(
  matrix: { counts: Record<RunStatus, number>; results?: readonly { status: RunStatus; signal?: BreakSignal }[] },
  requireObserved = false, strict = false,
): 0 | 1 | 3 {
  if (matrix.counts.error) return 3;
  const failing = matrix.results
    ? matrix.results.some((r) => r.status === "broken" && (strict || r.signal !== "known"))
    : matrix.counts.broken > 0;
  return failing || (requireObserved && matrix.counts.unknown) ? 1 : 0;
}

export function expectationOf(run: ScenarioRun): Expectation {
  const expectation = run.scenario.expect[run.config.strategy];
  if (!expectation) throw new Error(`${run.runId}: the scenario has no expectation for strategy ${run.config.strategy}`);
  return expectation;
}

export const faultRecords = (run: ScenarioRun) => run.records.filter((r) => r.role === "fault");

/** How many times the faulted isolate must have been re-instantiated (and on_abort run). */
export const expectedResets = (run: ScenarioRun) => (expectationOf(run).reset ? faultRecords(run).length : 0);

export const faultedIsolate = (run: ScenarioRun): Isolate => faultIsolate(run.scenario.fault, run.config.topology);

/** The Durable Object's isolate is reset by this run's fault (per the expectation). */
export function objectReset(run: ScenarioRun): boolean {
  return expectationOf(run).reset && objectIsolate(run.config.topology) === faultedIsolate(run);
}

/**
 * The isolates whose runtime state at rest the run promises anything about: every one, except
 * the faulted one where it was left without recovery (later requests there are poisoned).
 */
export function recoveredIsolates(run: ScenarioRun): Isolate[] {
  const poisoned = expectationOf(run).later === "poisoned";
  const isolates: Isolate[] = run.config.topology === "split" ? ["handler", "objects"] : ["handler"];
  return isolates.filter((isolate) => !(poisoned && isolate === faultedIsolate(run)));
}

export const siblings = (run: ScenarioRun) => run.records.filter((r) => r.role === "inflight" || r.role === "concurrent" || r.role === "later");

/**
 * The first and last `info` probes of an isolate: runtime state before and after the run.
 * Undefined when the worker has no probes (a profile's worker).
 */
export function infoProbes(run: ScenarioRun, isolate: Isolate): [HistoryRecord, HistoryRecord] | undefined {
  const probes = run.records.filter((r) => r.role === "probe" && r.kind === "info" && r.isolate === isolate);
  return probes.length ? [probes[0]!, probes.at(-1)!] : undefined;
}

/**
 * The first and last `/stats` probes of an isolate: the guest's own counters before and after
 * the run (read inside the guest, unlike `info`). Undefined unless the run has both.
 */
export function statsProbes(run: ScenarioRun, isolate: Isolate): [HistoryRecord, HistoryRecord] | undefined {
  const probes = run.records.filter((r) => r.role === "probe" && r.kind === "stats" && r.isolate === isolate);
  return probes.length >= 2 ? [probes[0]!, probes.at(-1)!] : undefined;
}

export const NO_STATS = "the run has no reads of the guest's own counters (/stats) before and after the fault";

export const NO_PROBES = "the worker has no runtime probes (generation, abort hook, stack pointer)";

/** `field` of what `record` reported; NaN when it did not report it (check `observed` first). */
export const num = (record: HistoryRecord, field: SnapshotField): number => snapshot(record)[field] ?? Number.NaN;

/** A probe answered and reported `field`: what a runtime does not expose is absent. */
export const observed = (record: HistoryRecord, field: SnapshotField): boolean => snapshot(record)[field] !== undefined;
