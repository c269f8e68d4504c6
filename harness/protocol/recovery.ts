// The recovery vocabulary shared by the host shim (inside workerd) and the harness (in Node):
// strategies, mutants and error classes. These names appear in responses and reports, so
// they are API: change them only with a migration note.

/**
 * How the host recovers from a fault:
 * - `none`: instantiate once, never reset; what a runtime without recovery does (poisoning).
 * - `reset`: any error that is not a clean unwind marks the instance critical; the next entry
 *   re-instantiates it. Runs the panic=abort build.
 * - `unwind`: panics and JS errors unwind and the instance stays live; only aborts (traps,
 *   out of memory, stack overflow) terminate it, and the default on_abort hook schedules a
 *   reset. Runs either panic=unwind build.
 */
export type Strategy = "none" | "reset" | "unwind";
export const STRATEGIES: readonly Strategy[] = ["none", "reset", "unwind"];

/** Which panic build each strategy runs on. */
export function strategyFitsBuild(strategy: Strategy, panicStrategy: "abort" | "unwind"): boolean {
  return strategy === "unwind" ? panicStrategy === "unwind" : panicStrategy === "abort";
}

export function defaultStrategyFor(panicStrategy: "abort" | "unwind"): Strategy {
  return panicStrategy === "unwind" ? "unwind" : "reset";
}

/**
 * Test-only mutants: each reintroduces one real bug class into the runtime, so the harness can
 * prove its checks catch it.
 */
export const MUTANTS = {
  "no-recovery": "aborts are classified but never acted on: no termination, no reset",
  "no-stale-check": "handles and continuations from a dead generation are used in the new one",
  "no-termination-guard": "the guest does not check the terminated flag after host imports",
  "foreign-exceptions-abort": "JS errors that unwound through Rust are treated as aborts",
  "range-error-not-abort": "a stack-overflow RangeError is treated as a recoverable JS error",
  "no-stack-restore": "the shadow stack pointer is not restored when an exception leaves an export",
  "marshal-before-guard": "arguments are written into memory before the instance is checked",
  "double-reset": "the two reset triggers are cleared separately, so one abort resets twice",
  "reset-keeps-memory": "a reset starts the old instance again as the next generation instead of replacing it: its memory stays",
  "task-leak-on-panic": "a task whose future panicked is failed but never leaves the task table",
  "future-leak-on-unwind": "a task whose poll unwound is failed and leaves the task table, but its future is never freed (wasm-bindgen #5214)",
  "retry-unwound-call": "a call that unwound (PanicError, JS error) is taken for a transient failure and run again",
  "hook-twice": "on_abort also runs where the instance is reset, a second call site the host does not count",
  "panic-hook-traps": "a panic traps in the panic hook (its frames never unwind, so their destructors never run) and is reported as a recoverable PanicError",
  "panic-message-latin1": "a panic's message is read out of linear memory as Latin-1, not UTF-8",
  "stale-siblings-on-fault-timer": "an abort takes its generation's in-flight siblings out of the parking lot but fails them from a timer of the faulting request, which workerd drops when that request ends",
  "stack-restore-outermost": "after an unwind out of a nested call the shadow stack pointer goes back to the outermost call's start, under the outer frames",
} as const;

export type Mutant = keyof typeof MUTANTS;
export const MUTANT_NAMES = Object.keys(MUTANTS) as Mutant[];

export function isMutant(name: string): name is Mutant {
  return Object.hasOwn(MUTANTS, name);
}

/**
 * The class of a failed operation, as a response names it (`wrh-error` header, `error` field):
 * - `PanicError`: a Rust panic unwound to the boundary; message = the panic payload.
 * - `JsError`: a JS exception thrown by a host import travelled through Rust frames; message =
 *   the original error's message.
 * - `Abort`: the guest trapped, ran out of memory or overflowed its stack (or, under `reset`,
 *   anything that did not unwind cleanly).
 * - `Terminated`: the instance was aborted and no reset was scheduled; the entry was refused.
 * - `StaleInstance`: the request was in flight in a generation that died.
 * - `StaleObject`: a handle from an earlier generation was used.
 * - `ConfigError`: the worker was started with an impossible strategy or mutant.
 * - `Canceled`: no error from the worker at all: workerd cancelled the request because its
 *   promise could no longer settle ("…your Worker's code had hung…"). Real workers-rs answers
 *   faults this way (docs/findings.md); the reference runtime never does.
 */
export type ErrorClass =
  | "PanicError" | "JsError" | "Abort" | "Terminated" | "StaleInstance" | "StaleObject" | "ConfigError" | "Canceled";

/** Every error class, in one list: profiles and scenario files are validated against it. */
export const ERROR_CLASSES: readonly ErrorClass[] =
  ["PanicError", "JsError", "Abort", "Terminated", "StaleInstance", "StaleObject", "ConfigError", "Canceled"];

/** Body of every failed response (status 500). */
export interface FailureBody {
  error: ErrorClass | "NotFound" | "BadRequest";
  message: string;
  /** The generation that was current when the failure was reported. */
  generation: number;
  /** Whether this failure terminated the instance (it will be reset or refused). */
  critical: boolean;
}
