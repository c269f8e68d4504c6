// Runs one scenario once against a running canary and records every operation. The order is
// fixed and nothing waits for time to pass: siblings are parked inside Rust and counted before
// the fault strikes (the park barrier), released after it answers, and later siblings start
// only once everything before them settled.
//
//   probes → setup writes → park in-flight siblings → fault (or storm) → release → first later sibling
//   (alone, with a string argument) → object probe → other later siblings → probes
import type { HistoryRecord, Isolate, Role } from "../history/record.ts";
import { checksum, expectedChecksum } from "../protocol/integrity.ts";
import type { Mutant, Strategy } from "../protocol/recovery.ts";
import type { VariantName } from "../build/variants.ts";
import { DeadlineError, type RunningWorker } from "../runner/start-worker.ts";
import type { Fault, Scenario, Siblings, Topology } from "./scenario.ts";

export interface RunConfig {
  variant: VariantName;
  strategy: Strategy;
  topology: Topology;
  mutants: readonly Mutant[];
  /** 1-based repeat number. */
  repeat: number;
}

/** One execution of one scenario: what the checkers judge. */
export interface ScenarioRun {
  runId: string;
  scenario: Scenario;
  config: RunConfig;
  /** The Durable Object the run used, if any. */
  object?: string;
  records: HistoryRecord[];
  /** What the worker printed while the run went on. */
  output: string;
}

/** Setup writes to the scenario's Durable Object, so there is stored and in-memory state to lose. */
export const SETUP_WRITES = 2;

const REENTER_FAULTS = { panic: "panic", abort: "abort", "js-error": "js-error" } as const;

export function runId(scenario: Scenario, config: RunConfig): string {
  const mutants = config.mutants.length ? `+${config.mutants.join("+")}` : "";
  return `${scenario.name}/${config.variant}/${config.strategy}${mutants}/${config.topology}/${config.repeat}`;
}

/** The isolate a fault at `place` runs in. */
export function faultIsolate(fault: Fault, topology: Topology): Isolate {
  return fault.place === "durable-object" && topology === "split" ? "objects" : "handler";
}

export function objectIsolate(topology: Topology): Isolate {
  return topology === "split" ? "objects" : "handler";
}

function faultPath(fault: Fault, object: string): string {
  switch (fault.place) {
    case "handler": return `/${fault.kind}`;
    case "async": return "/panic-after-await?ms=1";
    case "durable-object": return `/do/${object}/${fault.kind}`;
    case "reentrant": {
      const kind = REENTER_FAULTS[fault.kind as keyof typeof REENTER_FAULTS];
      return `/reenter?depth=${fault.depth}&at=${fault.at}&fault=${kind}&swallow=${fault.swallow ? 1 : 0}`;
    }
  }
}

/** A buffer held across an await came back intact. */
const heldBufferIntact = (seed: number) => (body: Record<string, unknown>) =>
  body.intact === true && body.released === true && body.checksum === expectedChecksum(seed);

/** An argument reached the guest as it was sent. */
const echoed = (text: string) => (body: Record<string, unknown>) =>
  body.text === text && body.checksum === checksum(new TextEncoder().encode(text));

/** Seeds for checked buffers: distinct per sibling and run, reproducible from the run id. */
function seedFor(runId: string, index: number): number {
  let hash = 2166136261;
  for (const char of runId) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return ((hash + index * 7919) >>> 0) || 1;
}

class Recorder {
  readonly records: HistoryRecord[] = [];
  readonly #worker: RunningWorker;
  readonly #runId: string;
  readonly #t0 = performance.now();

  constructor(worker: RunningWorker, runId: string) {
    this.#worker = worker;
    this.#runId = runId;
  }

  #now(): number {
    return Math.round((performance.now() - this.#t0) * 100) / 100;
  }

  /**
   * Performs one operation and records it; never throws. `check` judges a 200 body: true when
   * the data is right (sets `integrity`).
   */
  async op(role: Role, kind: string, isolate: Isolate, path: string, check?: (body: Record<string, unknown>) => boolean): Promise<HistoryRecord> {
    const record: HistoryRecord = { run: this.#runId, id: this.records.length + 1, role, kind, isolate, path, start: this.#now(), end: 0, status: "unreachable" };
    this.records.push(record);
    try {
      const response = await this.#worker.fetchIsolate(isolate, path);
      const text = await response.text();
      record.status = response.status;
      record.generation = Number(response.headers.get("wrh-generation")) || undefined;
      const errorClass = response.headers.get("wrh-error");
      try {
        record.body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // Not the canary speaking: workerd's own error page (e.g. a request it found hung).
        record.message = text.slice(0, 300);
      }
      if (response.status !== 200) {
        record.errorClass = errorClass ?? "NotCanary";
        record.message ??= String(record.body?.message ?? "");
      }
      if (check && response.status === 200) record.integrity = record.body && check(record.body) ? "ok" : "wrong";
    } catch (error) {
      record.status = error instanceof DeadlineError ? "timeout" : "unreachable";
      record.message = error instanceof Error ? error.message : String(error);
    }
    record.end = this.#now();
    return record;
  }
}

/** How many requests are parked inside Rust in `isolate` right now. */
export async function parkedNow(worker: RunningWorker, isolate: Isolate): Promise<number> {
  return ((await (await worker.fetchIsolate(isolate, "/__harness/parked")).json()) as { parked: number }).parked;
}

/**
 * Polls the park count of `isolate` until it reaches `target`, or until `settled()` says a
 * sibling already answered (it failed before it could park: no point waiting, the checkers
 * will see it). False when the deadline passes first.
 */
async function parkedReach(
  worker: RunningWorker, isolate: Isolate, target: number, settled: () => boolean, deadlineMs: number,
): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (settled() || (await parkedNow(worker, isolate)) >= target) return true;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return false;
}


export interface ExecuteOptions {
  /** How long to wait for siblings to reach the park barrier. */
  barrierTimeoutMs?: number;
}

export async function executeScenario(
  worker: RunningWorker, scenario: Scenario, config: RunConfig, options: ExecuteOptions = {},
): Promise<ScenarioRun> {
  const id = runId(scenario, config);
  const recorder = new Recorder(worker, id);
  const outputBefore = worker.output().length;
  const { topology } = config;
  const { fault, workload } = scenario;
  const counts = (s: Siblings | undefined) => ({ handler: s?.handler ?? 0, object: s?.object ?? 0, otherObject: s?.otherObject ?? 0 });
  const inflight = counts(workload.inflight);
  const later = counts(workload.later);
  const usesObject = fault.place === "durable-object" || inflight.object + later.object + inflight.otherObject + later.otherObject > 0;
  const object = usesObject ? id.replaceAll(/[^a-z0-9-]/gi, "-") : undefined;
  const otherObject = `${object}-other`;
  const objects = objectIsolate(topology);
  const isolates: Isolate[] = topology === "split" ? ["handler", "objects"] : ["handler"];

  for (const isolate of isolates) {
    // The runtime instantiates on first entry (and applies a reset a previous run left pending).
    await recorder.op("probe", "stats", isolate, "/stats");
    await recorder.op("probe", "info", isolate, "/__harness/info");
  }
  const handles: { id: number; text: string }[] = [];
  for (let i = 0; i < (workload.handles ?? 0); i++) {
    const text = `handle-${i}-${seedFor(id, 10_000 + i)}`;
    const created = await recorder.op("setup", "object-new", "handler", `/object/new?text=${text}`);
    if (created.status === 200) handles.push({ id: Number(created.body?.id), text });
  }
  if (object) {
    for (let i = 0; i < SETUP_WRITES; i++) await recorder.op("setup", "object-increment", objects, `/do/${object}/increment`);
    await recorder.op("probe", "object-state", objects, `/do/${object}/read`);
  }

  // In flight: park them inside Rust and wait until every one is counted.
  const target = new Map<Isolate, number>();
  for (const isolate of isolates) target.set(isolate, await parkedNow(worker, isolate));
  target.set("handler", target.get("handler")! + inflight.handler);
  target.set(objects, target.get(objects)! + inflight.object + inflight.otherObject);
  const parked: Promise<HistoryRecord>[] = [];
  let seedIndex = 0;
  for (let i = 0; i < inflight.handler; i++) {
    const seed = seedFor(id, seedIndex++);
    parked.push(recorder.op("inflight", "park", "handler", `/park?seed=${seed}`, heldBufferIntact(seed)));
  }
  for (let i = 0; i < inflight.object; i++) parked.push(recorder.op("inflight", "object-park", objects, `/do/${object}/park`));
  for (let i = 0; i < inflight.otherObject; i++) parked.push(recorder.op("inflight", "other-object-park", objects, `/do/${otherObject}/park`));
  let anySettled = false;
  for (const sibling of parked) void sibling.then(() => { anySettled = true; });
  for (const isolate of isolates) {
    if (!(await parkedReach(worker, isolate, target.get(isolate)!, () => anySettled, options.barrierTimeoutMs ?? 10_000))) {
      throw new Error(`${id}: in-flight siblings never all parked in the ${isolate} isolate`);
    }
  }

  const faultKind = `${fault.kind}@${fault.place}`;
  const path = faultPath(fault, object ?? "none");
  if (fault.storm) {
    for (let i = 0; i < fault.storm.requests; i++) {
      if (i % fault.storm.every === 0) await recorder.op("fault", faultKind, "handler", path);
      else await recorder.op("later", "ok", "handler", "/ok");
    }
  } else {
    await recorder.op("fault", faultKind, faultIsolate(fault, topology), path);
  }

  // Recorded: its answer says how many siblings were still parked, so "failed fast" (none left
  // to release in the faulted isolate) is judged from what the worker saw, not from timing.
  for (const isolate of isolates) await recorder.op("probe", "release", isolate, "/__harness/release");
  await Promise.all(parked);

  // The first later request goes alone and carries a string: the first entry after a fault is
  // where an argument written before the instance check would land in the wrong memory.
  if (later.handler > 0) {
    const text = `later-${seedFor(id, seedIndex++)}`;
    await recorder.op("later", "echo", "handler", `/echo?text=${text}`, echoed(text));
  }
  if (object) await recorder.op("probe", "object-state", objects, `/do/${object}/read`);
  for (const handle of handles) {
    await recorder.op("probe", "handle-read", "handler", `/object/read?id=${handle.id}`, (body) => body.text === handle.text);
  }
  const laterOps: Promise<HistoryRecord>[] = [];
  for (let i = 1; i < later.handler; i++) {
    const seed = seedFor(id, seedIndex++);
    laterOps.push(recorder.op("later", "sleep", "handler", `/sleep?ms=1&seed=${seed}`, heldBufferIntact(seed)));
  }
  for (let i = 0; i < later.object; i++) laterOps.push(recorder.op("later", "object-increment", objects, `/do/${object}/increment`));
  for (let i = 0; i < later.otherObject; i++) laterOps.push(recorder.op("later", "other-object-increment", objects, `/do/${otherObject}/increment`));
  await Promise.all(laterOps);

  for (const isolate of isolates) await recorder.op("probe", "info", isolate, "/__harness/info");
  if (object) await recorder.op("probe", "object-state", objects, `/do/${object}/read`);

  return { runId: id, scenario, config, object, records: recorder.records, output: worker.output().slice(outputBefore) };
}
