// What a checker says about one scenario run, and the facts checkers share about a run.
import { faultIsolate, objectIsolate, type ScenarioRun } from "../engine/execute.ts";
import type { Expectation } from "../engine/scenario.ts";
import type { HistoryRecord, Isolate } from "../history/record.ts";

export interface Verdict {
  /** Which guarantee: classification, blast-radius, liveness, recovery, state, integrity, abort-hook, stack. */
  checker: string;
  ok: boolean;
  /** One line: what holds, or what broke. */
  summary: string;
  /** Ids of the history records that show a broken guarantee. */
  evidence: number[];
  /** Set when the worker gives no way to observe the guarantee (a profile without probes): not a pass. */
  unobserved?: true;
}

export type Checker = (run: ScenarioRun) => Verdict;

const EVIDENCE_SHOWN = 12;

export function verdict(checker: string, broken: HistoryRecord[], holds: string, breaks: (ids: string) => string): Verdict {
  const evidence = broken.map((r) => r.id);
  // The summary is one line in a terminal table; `evidence` keeps every id.
  const shown = evidence.slice(0, EVIDENCE_SHOWN).map((id) => `#${id}`).join(", ");
  const more = evidence.length > EVIDENCE_SHOWN ? ` and ${evidence.length - EVIDENCE_SHOWN} more` : "";
  return { checker, ok: broken.length === 0, summary: broken.length ? breaks(shown + more) : holds, evidence };
}

export function unobserved(checker: string, why: string): Verdict {
  return { checker, ok: true, summary: `not observed: ${why}`, evidence: [], unobserved: true };
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

export const siblings = (run: ScenarioRun) => run.records.filter((r) => r.role === "inflight" || r.role === "concurrent" || r.role === "later");

export const ok = (r: HistoryRecord) => r.status === 200 && r.integrity !== "wrong";

/**
 * The first and last `info` probes of an isolate: runtime state before and after the run.
 * Undefined when the worker has no probes (a profile's worker).
 */
export function infoProbes(run: ScenarioRun, isolate: Isolate): [HistoryRecord, HistoryRecord] | undefined {
  const probes = run.records.filter((r) => r.role === "probe" && r.kind === "info" && r.isolate === isolate);
  return probes.length ? [probes[0]!, probes.at(-1)!] : undefined;
}

export const NO_PROBES = "the worker has no runtime probes (generation, abort hook, stack pointer)";

export const num = (record: HistoryRecord, field: string): number => Number(record.body?.[field]);

/** A probe answered and reported `field` as a number: what a runtime does not expose is absent. */
export const observed = (record: HistoryRecord, field: string): boolean =>
  record.status === 200 && typeof record.body?.[field] === "number";
