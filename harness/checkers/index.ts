// Every checker, applied to a run after it finished.
import type { ScenarioRun } from "../engine/execute.ts";
import type { Expectation } from "../engine/scenario.ts";
import { abortHook } from "./abort-hook.ts";
import { blastRadiusChecker } from "./blast-radius.ts";
import { classification } from "./classification.ts";
import { handles } from "./handles.ts";
import { integrity } from "./integrity.ts";
import { liveness } from "./liveness.ts";
import { recovery } from "./recovery.ts";
import { stack } from "./stack.ts";
import { stateSurvival } from "./state-survival.ts";
import type { Checker, Verdict } from "./verdict.ts";

export const CHECKERS: readonly Checker[] = [classification, blastRadiusChecker, liveness, recovery, stateSurvival, integrity, abortHook, stack, handles];

export function judge(run: ScenarioRun): Verdict[] {
  return CHECKERS.map((check) => check(run));
}

/**
 * Judges `run` as if its strategy had promised `expectation`: how negative controls ask whether
 * a run without recovery would pass for one with it.
 */
export function judgeAgainst(run: ScenarioRun, expectation: Expectation): Verdict[] {
  return judge({ ...run, scenario: { ...run.scenario, expect: { ...run.scenario.expect, [run.config.strategy]: expectation } } });
}

export type { Verdict } from "./verdict.ts";
