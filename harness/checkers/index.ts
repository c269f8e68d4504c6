// Every checker, applied to a run after it finished.
import type { ScenarioRun } from "../engine/execute.ts";
import { abortHook } from "./abort-hook.ts";
import { blastRadiusChecker } from "./blast-radius.ts";
import { classification } from "./classification.ts";
import { integrity } from "./integrity.ts";
import { liveness } from "./liveness.ts";
import { recovery } from "./recovery.ts";
import { stack } from "./stack.ts";
import { stateSurvival } from "./state-survival.ts";
import type { Checker, Verdict } from "./verdict.ts";

export const CHECKERS: readonly Checker[] = [classification, blastRadiusChecker, liveness, recovery, stateSurvival, integrity, abortHook, stack];

export function judge(run: ScenarioRun): Verdict[] {
  return CHECKERS.map((check) => check(run));
}

export type { Verdict } from "./verdict.ts";
