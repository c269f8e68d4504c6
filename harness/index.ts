// The programmatic API: what `import … from "workers-recovery-harness"` gives. Every re-export
// of the package is here and nowhere else, grouped by what a user does with it, so a module
// that moves changes one line of this file.

// Defining scenarios: the format, its validation, the helpers, and loading scenario files.
export { ABORT, contained, defineScenario, JS_ERROR, PANIC, resets, unrecovered } from "./engine/define-scenario.ts";
export {
  type Expectation, type Fault, type FaultKind, type FaultOutcome, type FaultPlace, type Scenario, type Siblings, type Topology, type Workload,
  FAULT_KINDS, FAULT_PLACES, TOPOLOGIES,
} from "./history/scenario.ts";
export { ScenarioError, validateScenario } from "./engine/scenario.ts";
export { loadScenarioFile, loadScenarios } from "./engine/load-scenarios.ts";
export { type ErrorClass, ERROR_CLASSES, STRATEGIES, type Strategy } from "./protocol/recovery.ts";

// Running a matrix: against the canary builds (in a clone) or a worker of your own through a profile.
// A worker of your own is checked against its profile first (the CLI does; runMatrix does not).
export {
  ALL_BUILDS, HarnessError, MatrixInputError, type MatrixOptions, type MatrixPlan, type MatrixSession, matrixSession, type OwnWorkerTarget,
  planMatrix, type PlannedRun, type ProgressEvent, runMatrix,
} from "./matrix/matrix.ts";
export { builtInProfiles, loadProfile, type Profile, ProfileError, validateProfile } from "./profile/profile.ts";
export { type Answer, preflight, type Preflight, ProfileMismatchError, strategyFrom } from "./profile/preflight.ts";

// Judging: the checkers and their verdicts.
export { CHECKERS, judgeRun, type MatrixResult, type RunResult } from "./checkers/index.ts";
export { type Checker, countRuns, exitStatus, type RunStatus, runStatus, type Verdict, type VerdictStatus } from "./checkers/verdict.ts";

// The vitest integration (tests per run in your own vitest config) is its own entry point,
// "workers-recovery-harness/vitest" (harness/vitest/recovery-tests.ts): it imports vitest.

// Reports.
export { type HtmlOptions, renderHtml } from "./report/html.ts";
export { renderJson } from "./report/json.ts";
export { renderJunit } from "./report/junit.ts";
export { renderTable, summaryLine } from "./report/table.ts";

// History: what a run recorded, and the history.jsonl files `wrh run` writes.
export { type BuildName, OWN_WORKER, type RealBuild, type ReferenceBuild, type RunConfig, type ScenarioRun } from "./history/run.ts";
export { appendHistory, HistoryFileError, historyRuns, readHistory, type RunHeader } from "./history/file.ts";
export { type HistoryRecord, type Isolate, type Role } from "./history/record.ts";
