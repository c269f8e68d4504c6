// The same verdict every run: a cell (one scenario in one configuration) run several times must
// come out the same way each time. A cell whose repeats disagree is a flip, a defect to explain
// by its mechanism; a scenario that races on purpose says so (`Scenario.races`) and its flips
// are reported apart.
import type { RunResult } from "./index.ts";
import { isBroken } from "./verdict.ts";

/** A run's cell: its id without the repeat number. */
export const cellOf = (result: Pick<RunResult, "runId">): string => result.runId.replace(/\/\d+$/, "");

/**
 * How a run came out, as far as a flip is concerned: its status, and each broken guarantee with
 * the finding it is attributed to (a break that moves from one finding to another is a flip too).
 */
export function outcomeOf(result: Pick<RunResult, "status" | "verdicts" | "upstream">): string {
  const broken = [...result.verdicts, ...(result.upstream ?? [])].filter(isBroken).map((v) => (v.finding ? `${v.checker} ${v.finding}` : v.checker));
  return broken.length ? `${result.status}: ${broken.sort().join(", ")}` : result.status;
}

export interface Flip {
  cell: string;
  /** Each distinct outcome, with the repeats that had it. */
  outcomes: { outcome: string; repeats: number[] }[];
  /** The scenario races on purpose: why (Scenario.races). */
  races?: string;
}

/** The cells run more than once whose runs did not all come out the same way. */
export function flips(results: readonly RunResult[]): Flip[] {
  const byCell = new Map<string, RunResult[]>();
  for (const r of results) byCell.set(cellOf(r), [...(byCell.get(cellOf(r)) ?? []), r]);
  const found: Flip[] = [];
  for (const [cell, runs] of byCell) {
    const outcomes = new Map<string, number[]>();
    for (const r of runs) outcomes.set(outcomeOf(r), [...(outcomes.get(outcomeOf(r)) ?? []), r.config.repeat]);
    if (outcomes.size < 2) continue;
    const races = runs[0]!.history.scenario.races;
    found.push({ cell, outcomes: [...outcomes].map(([outcome, repeats]) => ({ outcome, repeats })), ...(races ? { races } : {}) });
  }
  return found;
}

/** How many cells were run more than once: what a flip count is out of. */
export function repeatedCells(results: readonly RunResult[]): number {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(cellOf(r), (counts.get(cellOf(r)) ?? 0) + 1);
  return [...counts.values()].filter((n) => n > 1).length;
}
