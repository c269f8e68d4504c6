// Test support only (no test imports this from production code): builds ScenarioRun histories
// by hand, so each checker can be judged on a history written for the case, Jepsen-style,
// without workerd. One record helper per role the engine records, one `run()` that numbers them.
//
//   const r = run(resets(["Abort"]), [info(0), fault("Abort"), park({ errorClass: "StaleInstance", status: 500 }), info(1)]);
//
// Records get ids 1, 2, … in the order given and, unless a test sets `start`/`end`, a clock that
// never overlaps: record n runs from 10n to 10n + 5. Pass `start`/`end` to build overlaps.
import type { ScenarioRun } from "../history/run.ts";
import type { Expectation, Fault, Scenario, Topology } from "../history/scenario.ts";
import type { HistoryRecord, Role } from "../history/record.ts";
import type { Strategy } from "../protocol/recovery.ts";

/** A record before `run()` numbers it: anything left out gets a default. */
export type Spec = Partial<HistoryRecord> & { role: Role; kind: string };

export interface RunOptions {
  strategy?: Strategy;
  topology?: Topology;
  /** Where the fault runs (`handler` by default): `durable-object` + `split` faults the objects isolate. */
  fault?: Partial<Fault>;
  /** The run's Durable Object name; state-survival judges only runs that have one. */
  object?: string;
  /** Tells runs saved to one history file apart. */
  runId?: string;
}

export const RUN_ID = "synthetic/abort/reset/shared/1";

/** Builds the run: `expectation` is what `strategy` (reset by default) promises. */
export function run(expectation: Expectation, specs: Spec[], options: RunOptions = {}): ScenarioRun {
  const strategy = options.strategy ?? "reset";
  const runId = options.runId ?? RUN_ID;
  const scenario: Scenario = {
    name: "synthetic",
    description: "a history written by hand",
    fault: { kind: "abort", place: "handler", ...options.fault },
    workload: {},
    expect: { [strategy]: expectation },
  };
  const records = specs.map((spec, i): HistoryRecord => ({
    run: runId,
    id: i + 1,
    isolate: "handler",
    path: `/${spec.kind}`,
    start: 10 * (i + 1),
    end: 10 * (i + 1) + 5,
    status: 200,
    ...spec,
  }));
  return {
    runId,
    scenario,
    config: { variant: "abort", strategy, topology: options.topology ?? "shared", mutants: [], repeat: 1 },
    object: options.object,
    records,
    output: "",
  };
}

// ---- records, by role ------------------------------------------------------------------

/** A failure as the worker names it: status 500 and `errorClass`. */
export const failed = (errorClass: string, more: Partial<HistoryRecord> = {}): Partial<HistoryRecord> => ({ status: 500, errorClass, ...more });

/** The fault request: failed with class `outcome`, succeeded (`ok`), or a bare status (`timeout`, 500…). */
export function fault(outcome: string | number, more: Partial<Spec> = {}): Spec {
  const answer: Partial<HistoryRecord> = outcome === "ok" ? { status: 200 }
    : typeof outcome === "number" || outcome === "timeout" || outcome === "unreachable" ? { status: outcome }
    : failed(outcome);
  return { role: "fault", kind: "abort@handler", ...answer, ...more };
}

/** An `info` probe: runtime state (`generation`, `abortHookRuns`, `stackPointer`) as given. */
export function info(body: Record<string, unknown>, more: Partial<Spec> = {}): Spec {
  return { role: "probe", kind: "info", path: "/__harness/info", body, ...more };
}

/** The canary's probe body: generation `g`, abort hook run `hooks` times, stack pointer `sp`. */
export const runtime = (g: number, hooks = g - 1, sp = 1_048_576) => ({ generation: g, abortHookRuns: hooks, stackPointer: sp });

/** The release probe: how many siblings were still parked in its isolate. */
export function release(released: number, more: Partial<Spec> = {}): Spec {
  return { role: "probe", kind: "release", path: "/__harness/release", body: { released }, ...more };
}

/** What the engine records of checked data: `ok` on a 200 (unless `more` says `wrong`), nothing on a failure. */
const checked = (more: Partial<Spec>): Partial<Spec> => ((more.status ?? 200) === 200 ? { integrity: "ok" } : {});

/** A sibling of `role`; succeeds with intact data unless `more` says otherwise. */
export function sibling(role: "inflight" | "concurrent" | "later", more: Partial<Spec> = {}): Spec {
  return { role, kind: role === "later" ? "sleep" : "park", ...checked(more), ...more };
}

/** A read of the Durable Object's counts (`object-state`). */
export function state(memory: number, stored: number, more: Partial<Spec> = {}): Spec {
  return { role: "probe", kind: "object-state", body: { memory, stored }, ...more };
}

/** A write to the Durable Object (`object-increment`); acknowledged unless `more` says otherwise. */
export function write(role: Role = "later", more: Partial<Spec> = {}): Spec {
  return { role, kind: "object-increment", ...more };
}

/** A read of a Rust handle made before the fault. */
export function handleRead(more: Partial<Spec> = {}): Spec {
  return { role: "probe", kind: "handle-read", ...checked(more), ...more };
}

/** A `/stats` probe: the guest's own counters (`generation`, `pendingDrops`, `panicking`…) as given. */
export function stats(body: Record<string, unknown>, more: Partial<Spec> = {}): Spec {
  return { role: "probe", kind: "stats", path: "/stats", body, ...more };
}

/** A request that sets the run up before the fault (a handle made, a Durable Object write). */
export function setup(more: Partial<Spec> = {}): Spec {
  return { role: "setup", kind: "handle-create", status: 200, ...more };
}
