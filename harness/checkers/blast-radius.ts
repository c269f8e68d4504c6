// Blast radius: siblings that failed, hung or returned wrong data because of the fault. Only
// the casualties the strategy accepts are allowed: in-flight (or concurrent) siblings in the
// faulted isolate under fail-fast, anything in that isolate without recovery. Elsewhere: none.
import type { ScenarioRun } from "../history/run.ts";
import { expectationOf, faultedIsolate, siblings, verdict, type Checker } from "./verdict.ts";
import { succeeded } from "../history/record.ts";

export function blastRadius(run: ScenarioRun): number {
  return siblings(run).filter((r) => !succeeded(r)).length;
}

export const blastRadiusChecker: Checker = (run) => {
  const expectation = expectationOf(run);
  const faulted = faultedIsolate(run);
  const allowed = (role: string, isolate: string) =>
    isolate === faulted && (role === "later" ? expectation.later === "poisoned" : expectation.inflight !== "survive");
  const failed = siblings(run).filter((r) => !succeeded(r));
  const broken = failed.filter((r) => !allowed(r.role, r.isolate));
  return verdict("blast-radius", broken,
    `blast radius ${failed.length} of ${siblings(run).length} siblings, all within what ${run.config.strategy} allows`,
    (ids) => `blast radius ${failed.length}: ${ids} failed but ${run.config.strategy} promises they survive`);
};
