// The scenario format, as data: a workload of siblings, one fault, where it runs, and what each
// recovery strategy must make of it. Every run's history carries its scenario, so the format
// is part of the history's schema. The engine turns a scenario into operations
// (engine/execute.ts); the checkers turn the resulting history and the expectation into
// verdicts (checkers/); scenario files are validated on load (engine/scenario.ts).
import type { ErrorClass, Strategy } from "../protocol/recovery.ts";
import type { Isolate } from "./record.ts";

/** `panic-holding-lock`: a panic while the guest holds a `std::sync::Mutex`, which it poisons. */
export type FaultKind = "panic" | "abort" | "oom" | "stack-overflow" | "js-error" | "panic-in-drop" | "panic-holding-lock";
/**
 * Where the fault runs: `handler` (a stateless request), `async` (after an await inside Rust),
 * `durable-object` (inside the scenario's Durable Object), `reentrant` (at one level of a
 * JS→Rust→JS→Rust chain), `resume` (in a request parked with the in-flight siblings, as the
 * release wakes them all at once: a runtime that polls woken tasks in batches meets the fault
 * in the middle of a batch).
 */
export type FaultPlace = "handler" | "async" | "durable-object" | "reentrant" | "resume";
/** `shared`: Durable Objects run in the handler's isolate (one Wasm instance); `split`: in their own. */
export type Topology = "shared" | "split";

export const FAULT_KINDS: readonly FaultKind[] = ["panic", "abort", "oom", "stack-overflow", "js-error", "panic-in-drop", "panic-holding-lock"];
export const FAULT_PLACES: readonly FaultPlace[] = ["handler", "async", "durable-object", "reentrant", "resume"];
export const TOPOLOGIES: readonly Topology[] = ["shared", "split"];

/** Which fault kinds each place can produce (the canary's routes). */
export const KINDS_BY_PLACE: Readonly<Record<FaultPlace, readonly FaultKind[]>> = {
  handler: FAULT_KINDS,
  async: ["panic"],
  "durable-object": ["panic", "abort"],
  reentrant: ["panic", "abort", "js-error"],
  resume: ["panic", "js-error"],
};

export type FaultOutcome = ErrorClass | "ok";

export interface Fault {
  kind: FaultKind;
  place: FaultPlace;
  /** `reentrant` only: chain depth (levels 1..depth) and the level that faults. */
  depth?: number;
  at?: number;
  /** `reentrant` only: the JS between levels catches inner failures and returns normally. */
  swallow?: boolean;
  /**
   * A storm instead of one fault: `requests` sequential requests, every `every`-th the fault
   * (starting with the first), the others `/ok`. Not for `durable-object`.
   */
  storm?: { requests: number; every: number };
}

/**
 * Sibling requests, by where they run: the stateless handler, the scenario's Durable Object, or
 * another object of the same class (same isolate, different state).
 */
export interface Siblings {
  handler?: number;
  object?: number;
  otherObject?: number;
}

export interface Workload {
  /** Parked inside Rust (park/release barrier) when the fault strikes; released after it answers. */
  inflight?: Siblings;
  /** Started once the fault has answered and the in-flight siblings have settled. */
  later?: Siblings;
  /**
   * Stateless siblings asleep on a timer inside Rust when the fault strikes, waking
   * `ASLEEP_MS` after they started: after the fault has answered and before the harness sends
   * anything else, so the first thing to enter the instance after the fault is their wake-up
   * (a continuation of the faulted instance), not a new request.
   */
  asleep?: number;
  /**
   * Rust objects created in the handler's instance before the fault and read after it: they
   * must read back intact if the instance lived, or be refused (StaleObject) if it was reset.
   */
  handles?: number;
}

/**
 * What one strategy must make of the scenario. Siblings in an isolate the fault did not run in
 * must always survive; these fields are about the isolate it ran in.
 */
export interface Expectation {
  /**
   * How the fault request may end: one of these error classes, or `ok` where the fault is
   * allowed to go unnoticed (e.g. an inner abort swallowed by JS, without recovery).
   */
  fault: FaultOutcome[];
  /** Whether that isolate gets a new instance: generation + 1 and on_abort run once. */
  reset: boolean;
  /**
   * In-flight siblings there: `survive` (complete with intact data), `fail-fast` (fail with
   * StaleInstance without waiting for release), or `poisoned` (no guarantee: no recovery).
   */
  inflight: "survive" | "fail-fast" | "poisoned";
  /** Later siblings there: `succeed`, or `poisoned` (no guarantee). */
  later: "succeed" | "poisoned";
}

export interface Scenario {
  /** Unique, kebab-case. */
  name: string;
  description: string;
  fault: Fault;
  workload: Workload;
  /** Topologies the scenario is meaningful in; both by default. */
  topologies?: Topology[];
  /** How many times to run it in each configuration; 1 by default. */
  repeats?: number;
  /**
   * Set when the scenario races on purpose (two things it does not order may come in either
   * order): why. Its runs may differ between repeats; such flips are reported apart.
   */
  races?: string;
  /** One expectation per strategy the scenario applies to (at least one). */
  expect: Partial<Record<Strategy, Expectation>>;
}

/** How long `Workload.asleep` siblings sleep: longer than any fault of the catalog takes to answer. */
export const ASLEEP_MS = 400;

/**
 * Milliseconds allowed per in-flight sibling for the harness to receive their answers, which
 * arrive one after another (1,000 took 1.2 s on an idle 2-core machine, 2.2 s with two workerd
 * busy at once): added to the siblings' deadline, and to how soon failing ones must have failed.
 */
export const RECEIVE_MS_PER_SIBLING = 3;

/** The isolate a fault at `place` runs in. */
export function faultIsolate(fault: Fault, topology: Topology): Isolate {
  return fault.place === "durable-object" && topology === "split" ? "objects" : "handler";
}

/** The isolate the scenario's Durable Objects run in. */
export function objectIsolate(topology: Topology): Isolate {
  return topology === "split" ? "objects" : "handler";
}
