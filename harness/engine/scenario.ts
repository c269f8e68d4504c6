// Validation of scenario files: each entry is checked field by field against the format
// (harness/history/scenario.ts), so a mistake is one line naming the file, the scenario and
// the field.
import { ERROR_CLASSES, STRATEGIES, type Strategy } from "../protocol/recovery.ts";
import { type Expectation, type Fault, FAULT_KINDS, FAULT_PLACES, type FaultOutcome, KINDS_BY_PLACE, type Scenario, type Siblings, TOPOLOGIES, type Topology, type Workload } from "../history/scenario.ts";
import { FieldChecker as Checker } from "./field-checker.ts";
import { InputError } from "../errors.ts";

export class ScenarioError extends InputError {
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
  const s = c.object(value, "scenario", ["name", "description", "fault", "workload", "topologies", "repeats", "races", "expect"], ["name", "description", "fault", "workload", "expect"]);
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
    if (fault.place === "resume") c.fail("fault.storm", "a storm sends faults one after another; a resume fault waits for the release");
    const storm = c.object(f.storm, "fault.storm", ["requests", "every"], ["requests", "every"]);
    const requests = c.count(storm.requests, "fault.storm.requests", 1, 100_000);
    fault.storm = { requests, every: c.count(storm.every, "fault.storm.every", 1, requests) };
  }

  const w = c.object(s.workload, "workload", ["inflight", "later", "asleep", "handles"]);
  const workload: Workload = {
    inflight: siblings(c, w.inflight, "workload.inflight"),
    later: siblings(c, w.later, "workload.later"),
    asleep: w.asleep === undefined ? undefined : c.count(w.asleep, "workload.asleep", 0, 1000),
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
    ...(s.races === undefined ? {} : { races: c.text(s.races, "races") }),
    expect,
  };
}
