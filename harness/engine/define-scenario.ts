// Helpers for writing scenarios: `defineScenario` and the expectation shapes the catalog and
// users' own scenario files share (the format itself is in scenario.ts).
import { type Expectation, type Scenario } from "../history/scenario.ts";
import { validateScenario } from "./scenario.ts";

/**
 * A scenario, checked as it is defined: a mistake throws one line naming the scenario and the
 * field, with a stack that points at the call in the user's file. Returns the validated
 * scenario (defaults filled in), ready for `runMatrix` or a scenario file's default export.
 */
export function defineScenario(scenario: Scenario): Scenario {
  return validateScenario(scenario, "defineScenario");
}

type Outcomes = Expectation["fault"];

/** No recovery: nothing is promised beyond how the fault itself ends. */
export const unrecovered = (fault: Outcomes): Expectation => ({ fault, reset: false, inflight: "poisoned", later: "poisoned" });
/** The instance dies: in-flight siblings there fail fast, the next request gets a fresh instance. */
export const resets = (fault: Outcomes): Expectation => ({ fault, reset: true, inflight: "fail-fast", later: "succeed" });
/** Only the faulting request fails. */
export const contained = (fault: Outcomes): Expectation => ({ fault, reset: false, inflight: "survive", later: "succeed" });

/** An abort: fatal to the instance under every recovering strategy. */
export const ABORT = { none: unrecovered(["Abort"]), reset: resets(["Abort"]), unwind: resets(["Abort"]) };
/** A panic: contained under unwind, an abort under reset. */
export const PANIC = { none: unrecovered(["Abort"]), reset: resets(["Abort"]), unwind: contained(["PanicError"]) };
/** A JS error crossing Rust: recoverable under unwind, critical under reset. */
export const JS_ERROR = { none: unrecovered(["JsError"]), reset: resets(["JsError"]), unwind: contained(["JsError"]) };
