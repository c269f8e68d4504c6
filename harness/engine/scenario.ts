// The scenario format. A scenario is data: a workload of siblings, one fault, where it runs,
// and what each recovery strategy must make of it. The engine turns it into operations
// (engine/execute.ts); the checkers turn the resulting history and the expectation into
// verdicts (checkers/). Scenario files (`scenarios/*.scenarios.ts`) default-export an array of
// these objects and are validated on load (`validateScenario`).
import { ERROR_CLASSES, type ErrorClass, STRATEGIES, type Strategy } from "../protocol/recovery.ts";
import { FieldChecker as Checker } from "./field-checker.ts";
import type { Isolate } from "../history/record.ts";

export type FaultKind = "panic" | "abort" | "oom" | "stack-overflow" | "js-error" | "panic-in-drop";
/**
 * Where the fault runs: `handler` (a stateless request), `async` (after an await inside Rust),
 * `durable-object` (inside the scenario's Durable Object), `reentrant` (at one level of a
 * JS→Rust→JS→Rust chain).
 */
export type FaultPlace = "handler" | "async" | "durable-object" | "reentrant";
/** `shared`: Durable Objects run in the handler's isolate (one Wasm instance); `split`: in their own. */
export type Topology = "shared" | "split";

export const FAULT_KINDS: readonly FaultKind[] = ["panic", "abort", "oom", "stack-overflow", "js-error", "panic-in-drop"];
export const FAULT_PLACES: readonly FaultPlace[] = ["handler", "async", "durable-object", "reentrant"];
export const TOPOLOGIES: readonly Topology[] = ["shared", "split"];

/** Which fault kinds each place can produce (the canary's routes). */
export const KINDS_BY_PLACE: Readonly<Record<FaultPlace, readonly FaultKind[]>> = {
  handler: FAULT_KINDS,
  async: ["panic"],
  "durable-object": ["panic", "abort"],
  reentrant: ["panic", "abort", "js-error"],
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
  /** One expectation per strategy the scenario applies to (at least one). */
  expect: Partial<Record<Strategy, Expectation>>;
}

/** The isolate a fault at `place` runs in. */
export function faultIsolate(fault: Fault, topology: Topology): Isolate {
  return fault.place === "durable-object" && topology === "split" ? "objects" : "handler";
}

/** The isolate the scenario's Durable Objects run in. */
export function objectIsolate(topology: Topology): Isolate {
  return topology === "split" ? "objects" : "handler";
}

export class ScenarioError extends Error {
  override name = "ScenarioError";
}

// ---- validation ------------------------------------------------------------------------

const FAULT_OUTCOMES: readonly FaultOutcome[] = ["ok", ...ERROR_CLASSES];

function siblings(c: Checker, value: unknown, field: string): Siblings {
  if (value === undefined) return {};
  const s = c.object(value, field, ["handler", "object", "otherObject"]);
  const optional = (key: keyof Siblings) => (s[key] === undefined ? undefined : c.count(s[key], `${field}.${key}`));
  return { handler: optional("handler"), object: optional("object"), otherObject: optional("otherObject") };
}

function expectation(c: Checker, value: unknown, field: string, strategy: Strategy, fault: Fault): Expectation {
  const e = c.object(value, field, ["fault", "reset", "inflight", "later"], ["fault", "reset", "inflight", "later"]);
  if (!Array.isArray(e.fault) || e.fault.length === 0) c.fail(`${field}.fault`, "must be a non-empty list of error classes (or ok)");
  const classes = (e.fault as unknown[]).map((cls, i) => c.oneOf(cls, `${field}.fault[${i}]`, FAULT_OUTCOMES));
  if (typeof e.reset !== "boolean") c.fail(`${field}.reset`, "must be true or false");
  const result: Expectation = {
    fault: classes,
    reset: e.reset,
    inflight: c.oneOf(e.inflight, `${field}.inflight`, ["survive", "fail-fast", "poisoned"] as const),
    later: c.oneOf(e.later, `${field}.later`, ["succeed", "poisoned"] as const),
  };
  // Expectations the runtime cannot meet, whatever it does: a typo, not a finding.
  if (strategy !== "unwind" && classes.includes("PanicError")) {
    c.fail(`${field}.fault`, `PanicError is impossible under ${strategy}: it runs the panic=abort build, where a panic traps`);
  }
  if (strategy === "none" && (result.reset || result.inflight === "fail-fast")) {
    c.fail(field, "strategy none never resets, so nothing can be reset or fail fast");
  }
  if (strategy === "reset" && !result.reset) c.fail(`${field}.reset`, "under reset every fault that fails the request resets the instance");
  if (!result.reset && result.inflight === "fail-fast") c.fail(`${field}.inflight`, "fail-fast needs a reset: siblings fail because their generation died");
  if (fault.kind === "abort" && fault.place !== "reentrant" && classes.includes("PanicError")) {
    c.fail(`${field}.fault`, "an abort can never surface as a PanicError");
  }
  return result;
}

/** Checks `value` is a Scenario; `where` names its file (and index) in the one-line error. */
export function validateScenario(value: unknown, where: string): Scenario {
  const name = (value as { name?: unknown } | null)?.name;
  const c = new Checker(typeof name === "string" ? `${where}: scenario "${name}"` : where, ScenarioError);
  const s = c.object(value, "scenario", ["name", "description", "fault", "workload", "topologies", "repeats", "expect"], ["name", "description", "fault", "workload", "expect"]);
  if (typeof s.name !== "string" || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(s.name)) c.fail("name", "must be kebab-case, e.g. panic-with-siblings");
  if (typeof s.description !== "string" || !s.description) c.fail("description", "must be a non-empty string");

  const f = c.object(s.fault, "fault", ["kind", "place", "depth", "at", "swallow", "storm"], ["kind", "place"]);
  const fault: Fault = { kind: c.oneOf(f.kind, "fault.kind", FAULT_KINDS), place: c.oneOf(f.place, "fault.place", FAULT_PLACES) };
  if (!KINDS_BY_PLACE[fault.place].includes(fault.kind)) {
    c.fail("fault", `a ${fault.kind} cannot be placed in ${fault.place}; there it can be ${KINDS_BY_PLACE[fault.place].join(", ")}`);
  }
  if (fault.place === "reentrant") {
    fault.depth = c.count(f.depth ?? 3, "fault.depth", 1, 64);
    fault.at = c.count(f.at ?? fault.depth, "fault.at", 1, fault.depth);
    if (f.swallow !== undefined && typeof f.swallow !== "boolean") c.fail("fault.swallow", "must be true or false");
    fault.swallow = f.swallow === true;
  } else {
    for (const key of ["depth", "at", "swallow"] as const) if (f[key] !== undefined) c.fail(`fault.${key}`, "only applies to place reentrant");
  }

  if (f.storm !== undefined) {
    if (fault.place === "durable-object") c.fail("fault.storm", "a storm runs stateless requests; it cannot be placed in durable-object");
    const storm = c.object(f.storm, "fault.storm", ["requests", "every"], ["requests", "every"]);
    const requests = c.count(storm.requests, "fault.storm.requests", 1, 100_000);
    fault.storm = { requests, every: c.count(storm.every, "fault.storm.every", 1, requests) };
  }

  const w = c.object(s.workload, "workload", ["inflight", "later", "handles"]);
  const workload: Workload = {
    inflight: siblings(c, w.inflight, "workload.inflight"),
    later: siblings(c, w.later, "workload.later"),
    handles: w.handles === undefined ? undefined : c.count(w.handles, "workload.handles", 0, 1000),
  };

  let topologies: Topology[] | undefined;
  if (s.topologies !== undefined) {
    if (!Array.isArray(s.topologies) || s.topologies.length === 0) c.fail("topologies", "must be a non-empty list");
    topologies = (s.topologies as unknown[]).map((t, i) => c.oneOf(t, `topologies[${i}]`, TOPOLOGIES));
  }

  const e = c.object(s.expect, "expect", STRATEGIES);
  if (Object.keys(e).length === 0) c.fail("expect", "needs an expectation for at least one of none, reset, unwind");
  const expect: Partial<Record<Strategy, Expectation>> = {};
  for (const strategy of STRATEGIES) {
    if (e[strategy] !== undefined) expect[strategy] = expectation(c, e[strategy], `expect.${strategy}`, strategy, fault);
  }

  return {
    name: s.name as string,
    description: s.description as string,
    fault,
    workload,
    topologies,
    repeats: s.repeats === undefined ? undefined : c.count(s.repeats, "repeats", 1, 1000),
    expect,
  };
}
