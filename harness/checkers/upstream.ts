// Upstream's own promises: what workers-rs's own test suite asserts a real build does after a
// fault, judged beside the recovery contract (the catalog's expectations). The contract is the
// ideal; these are what upstream has promised and tests. A real build that breaks one of these
// has regressed; one that breaks only the contract shows a known limitation (./findings.ts).
//
// Source: cloudflare/workers-rs `test/tests/panic.spec.ts`, one test whose blocks run against
// the test worker (`test/src`), in its default (panic=abort) build and its `--panic-unwind`
// build; the case names below are its blocks in order (A: abort branch, U: unwind branch, B:
// both). It faults only in the stateless fetch handler, before any await, one request at a
// time (A3 and U3 add two concurrent requests), and infers a reset from a Durable Object's
// in-memory count. Where it asserts nothing, nothing is promised here either.
import type { ScenarioRun } from "../history/run.ts";
import { type FaultKind, type FaultOutcome, objectIsolate } from "../history/scenario.ts";
import { type Isolate, succeeded } from "../history/record.ts";
import { expectationOf, faultedIsolate, faultRecords, infoProbes, num, observed, unobserved, verdict, type Verdict } from "./verdict.ts";

/** What upstream promises of one kind of fault in one recovery mode. */
export interface UpstreamPromise {
  /** The upstream test cases that assert it (workers-rs `test/tests/panic.spec.ts`). */
  source: string;
  /**
   * How the fault request ends. Upstream asserts a 500 whose body is workerd's "Workers runtime
   * canceled" (`Canceled`) where the fault hangs the request, or a `PanicError`. The contract's
   * own classes are accepted beside it: a clear error in place of the cancel is not a regression.
   */
  fault: FaultOutcome[];
  /** Whether the instance is replaced: upstream reads it off a Durable Object's in-memory count. */
  reset: boolean;
  /** Requests in flight beside the fault complete (U3); absent where upstream asserts nothing of them. */
  inflightSurvive?: boolean;
}

const CANCELED = "Canceled";

/** By recovery mode, then fault kind: the kinds upstream's tests fault with. */
const PROMISES: Partial<Record<"reset" | "unwind", Partial<Record<FaultKind, UpstreamPromise>>>> = {
  // Abort mode: every fault is fatal and answered by workerd's cancel; the next request runs on
  // a new instance (A1, A5, A6, B1) and succeeds (A2, A4). A3 tolerates one failed sibling of
  // two: nothing is promised of requests in flight.
  reset: {
    panic: { source: "panic.spec.ts A1, A2, A4", fault: [CANCELED], reset: true },
    "panic-in-drop": { source: "panic.spec.ts A1 (a panic)", fault: [CANCELED], reset: true },
    "panic-holding-lock": { source: "panic.spec.ts A1 (a panic)", fault: [CANCELED], reset: true },
    abort: { source: "panic.spec.ts A5", fault: [CANCELED], reset: true },
    "js-error": { source: "panic.spec.ts A6", fault: [CANCELED], reset: true },
    oom: { source: "panic.spec.ts B1", fault: [CANCELED], reset: true },
  },
  // --panic-unwind: a panic is a PanicError and nothing resets (U1, U2), its concurrent
  // requests answer (U3); a JS error through Rust frames is cancelled without a reset (U4); an
  // abort or OOM is cancelled and resets (U5, B1). A panic while unwinding is not tested.
  unwind: {
    panic: { source: "panic.spec.ts U1, U2, U3", fault: ["PanicError"], reset: false, inflightSurvive: true },
    "panic-holding-lock": { source: "panic.spec.ts U1 (a panic)", fault: ["PanicError"], reset: false, inflightSurvive: true },
    "js-error": { source: "panic.spec.ts U4", fault: [CANCELED], reset: false },
    abort: { source: "panic.spec.ts U5", fault: [CANCELED], reset: true },
    oom: { source: "panic.spec.ts B1", fault: [CANCELED], reset: true },
  },
};

/**
 * Upstream's promise for a run, or undefined where its tests assert nothing: a fault outside
 * the stateless fetch handler (in a Durable Object, a re-entrant chain, a woken batch), a stack
 * overflow, a panic while unwinding under `--panic-unwind`, or a build without recovery.
 */
export function upstreamPromise(run: ScenarioRun): UpstreamPromise | undefined {
  const { fault } = run.scenario;
  if (fault.place !== "handler" && fault.place !== "async") return undefined;
  const strategy = run.config.strategy;
  if (strategy === "none") return undefined;
  const promise = PROMISES[strategy]?.[fault.kind];
  return promise && { ...promise, fault: [...new Set([...promise.fault, ...expectationOf(run).fault])] };
}

/**
 * Whether the faulted isolate was replaced, as promised: from the generation the runtime
 * reports, or, where it reports none (a worker of your own), the way upstream's test tells it:
 * the Durable Object's in-memory count, read before and after the fault in the faulted isolate,
 * started again (it went back) or went on (every read is a write: it grew).
 */
function resetVerdict(run: ScenarioRun, promise: UpstreamPromise, isolate: Isolate): Verdict {
  const asserts = promise.reset ? "a reset" : "no reset";
  const holds = promise.reset ? `reset (${promise.source})` : `no reset (${promise.source})`;
  const probes = infoProbes(run, isolate);
  if (probes && probes.every((p) => observed(p, "generation"))) {
    const advance = num(probes[1], "generation") - num(probes[0], "generation");
    const kept = promise.reset ? advance >= 1 : advance === 0;
    return verdict("upstream:reset", kept ? [] : [...probes], holds,
      (ids) => `generation moved by ${advance}, upstream asserts ${asserts} (${promise.source}): ${ids}`);
  }
  const reads = run.records.filter((r) => r.kind === "object-state");
  const [before, after] = reads;
  if (!run.object || objectIsolate(run.config.topology) !== isolate || !before || !after || ![before, after].every((r) => observed(r, "memory") && observed(r, "stored"))) {
    return unobserved("upstream:reset", "neither the generation nor the faulted isolate's Durable Object count was reported");
  }
  // Every write adds one to both counts; a reset starts the in-memory one again, so it then
  // grows by less than the stored one (which writes cancelled by the fault may add to as well).
  const memory = num(after, "memory") - num(before, "memory");
  const stored = num(after, "stored") - num(before, "stored");
  const reset = memory < stored;
  return verdict("upstream:reset", reset === promise.reset ? [] : [before, after], holds,
    (ids) => `between two reads the Durable Object's in-memory count grew by ${memory} and its stored count by ${stored} (${reset ? "a reset" : "no reset"}), upstream asserts ${asserts} (${promise.source}): ${ids}`);
}

/**
 * The run judged against upstream's promise: the fault's outcome, the reset, later requests
 * and (where promised) in-flight ones. Empty where upstream promises nothing.
 */
export function judgeUpstream(run: ScenarioRun): Verdict[] {
  const promise = upstreamPromise(run);
  if (!promise) return [];
  const isolate = faultedIsolate(run);
  const outcomeOf = (r: (typeof run.records)[number]) => (r.status === 200 ? "ok" : r.errorClass ?? String(r.status));
  const wrongFault = faultRecords(run).filter((r) => !promise.fault.includes(outcomeOf(r) as FaultOutcome));
  const verdicts = [
    verdict("upstream:fault", wrongFault, `the fault ended as ${promise.fault.join(" or ")} (${promise.source})`,
      (ids) => `fault ended as ${[...new Set(wrongFault.map(outcomeOf))].join("/")}, upstream asserts ${promise.fault.join(" or ")} (${promise.source}): ${ids}`),
  ];
  verdicts.push(resetVerdict(run, promise, isolate));
  const laterFailed = run.records.filter((r) => r.role === "later" && r.isolate === isolate && !succeeded(r));
  verdicts.push(verdict("upstream:later", laterFailed, `later requests succeeded (${promise.source})`,
    (ids) => `later requests failed, upstream asserts they succeed (${promise.source}): ${ids}`));
  if (promise.inflightSurvive) {
    const lost = run.records.filter((r) => (r.role === "inflight" || r.role === "concurrent") && r.isolate === isolate && !succeeded(r));
    verdicts.push(verdict("upstream:in-flight", lost, `requests in flight beside the fault answered (${promise.source})`,
      (ids) => `requests in flight beside the fault failed, upstream asserts they answer (${promise.source}): ${ids}`));
  }
  return verdicts;
}
