// Runs one scenario once against a running canary and records every operation. The order is
// fixed and nothing waits for time to pass: siblings are parked inside Rust and counted before
// the fault strikes (the park barrier), released after it answers, and later siblings start
// only once everything before them settled.
//
//   probes → setup writes → park in-flight siblings → fault (or storm) → release → first later sibling
//   (alone, with a string argument) → object probe → other later siblings → probes
//
// A `resume` fault is itself parked, ahead of the siblings, and strikes when the release wakes it.
import type { HistoryRecord, Isolate, Role } from "../history/record.ts";
import { type RunConfig, runId, type ScenarioRun } from "../history/run.ts";
import { type Deadline, DeadlineError } from "../runner/deadline.ts";
import type { RunningWorker } from "../runner/start-worker.ts";
import { CANARY_CLIENT, type Client, type Operation, type ParkBarrier } from "./client.ts";
import { ASLEEP_MS, faultIsolate, objectIsolate, RECEIVE_MS_PER_SIBLING, type Scenario, type Siblings, type Topology } from "../history/scenario.ts";

/**
 * What running a scenario needs of a worker: a worker the runner started, or (inside workerd,
 * harness/testing/inside-workerd.ts) the worker's own fetch handler.
 */
export type ScenarioTarget = Pick<RunningWorker, "fetchIsolate" | "deadlineMs" | "output"> & Partial<Pick<RunningWorker, "sequence">>;

/**
 * The harness could not put the run's operations in the order its scenario asks for (a timer's
 * wake-up came before the fault it must follow). Not a verdict on the worker: the run is done again.
 */
export class InterleavingError extends Error {
  override name = "InterleavingError";
}

/** How long siblings that failed with the fault get to answer before the release probe. */
const FAILED_SIBLINGS_GRACE_MS = 250;
/** How long `asleep` siblings get to reach the worker and fall asleep before the fault is sent. */
const ASLEEP_SETTLE_MS = 50;

/** Resolves once `count` of `operations` settled, or after `graceMs`. */
function settledOrGrace(operations: readonly Promise<unknown>[], count: number, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    let settled = 0;
    const timer = setTimeout(resolve, graceMs);
    for (const operation of operations) {
      void operation.finally(() => {
        if (++settled >= count) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
}

/** Setup writes to the scenario's Durable Object, so there is stored and in-memory state to lose. */
export const SETUP_WRITES = 2;

/** Seeds for checked buffers: distinct per sibling and run, reproducible from the run id and seed. */
function seedFor(runId: string, index: number, seed = 0): number {
  let hash = (2166136261 ^ seed) >>> 0;
  for (const char of runId) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return ((hash + index * 7919) >>> 0) || 1;
}

/** Performs a scenario's operations and writes each into the history as it happens. */
export class Recorder {
  readonly records: HistoryRecord[] = [];
  readonly #worker: ScenarioTarget;
  readonly #client: Client;
  readonly #runId: string;
  readonly #t0 = performance.now();

  constructor(worker: ScenarioTarget, client: Client, runId: string) {
    this.#worker = worker;
    this.#client = client;
    this.#runId = runId;
  }

  #now(): number {
    return Math.round((performance.now() - this.#t0) * 100) / 100;
  }

  #record(role: Role, isolate: Isolate, { kind, path }: Operation): HistoryRecord {
    const record: HistoryRecord = { run: this.#runId, id: this.records.length + 1, role, kind, isolate, path, start: this.#now(), end: 0, status: "unreachable" };
    this.records.push(record);
    return record;
  }

  #answer(record: HistoryRecord, status: number, headers: Headers, text: string, check: Operation["check"]): void {
    record.status = status;
    const reading = this.#client.read(status, headers, text);
    for (const field of ["errorClass", "generation", "body", "message"] as const) {
      if (reading[field] !== undefined) Object.assign(record, { [field]: reading[field] });
    }
    if (check && status === 200) record.integrity = record.body && check(record.body) ? "ok" : "wrong";
  }

  /** Performs one operation and records it; never throws. */
  async op(role: Role, isolate: Isolate, operation: Operation, deadline?: Deadline): Promise<HistoryRecord> {
    const record = this.#record(role, isolate, operation);
    try {
      const response = await this.#worker.fetchIsolate(isolate, operation.path, deadline);
      this.#answer(record, response.status, response.headers, await response.text(), operation.check);
    } catch (error) {
      record.status = error instanceof DeadlineError ? "timeout" : "unreachable";
      record.message = error instanceof Error ? error.message : String(error);
    }
    record.end = this.#now();
    return record;
  }

  /**
   * Performs `operations` one after another, each once the one before answered, and records
   * them as `op` would; from inside workerd when the target can (a storm of thousands then
   * costs no loopback per request), else one `op` at a time. Never throws. When workerd stops
   * answering partway, the request it hung on is a timeout and the rest are not sent.
   */
  async sequence(isolate: Isolate, operations: readonly { role: Role; operation: Operation }[]): Promise<void> {
    if (!this.#worker.sequence) {
      for (const { role, operation } of operations) await this.op(role, isolate, operation);
      return;
    }
    const base = this.#now();
    let next = 0;
    let lastEnd = base;
    // What the driver could not tell: the request it was on when the sequence broke off.
    const brokeOff = (status: "timeout" | "unreachable", message: string) => {
      const { role, operation } = operations[next]!;
      const record = this.#record(role, isolate, operation);
      Object.assign(record, { start: lastEnd, status, message: `${operation.path}: ${message}`, end: this.#now() });
    };
    try {
      for await (const line of this.#worker.sequence(isolate, operations.map((o) => o.operation.path))) {
        if (line === "stalled") {
          brokeOff("timeout", `workerd stopped answering: nothing from the in-workerd client within ${this.#worker.deadlineMs / 1000} s and a margin`);
          return;
        }
        const { role, operation } = operations[next++]!;
        const record = this.#record(role, isolate, operation);
        record.start = base + line.start;
        record.end = lastEnd = base + line.end;
        if ("error" in line) {
          record.status = line.error;
          record.message = line.message;
          continue;
        }
        try {
          this.#answer(record, line.status, new Headers(line.headers), line.body, operation.check);
        } catch (error) {
          record.status = "unreachable";
          record.message = error instanceof Error ? error.message : String(error);
        }
      }
      if (next < operations.length) brokeOff("unreachable", "the in-workerd client's answer ended before this request");
    } catch (error) {
      if (next < operations.length) brokeOff("unreachable", error instanceof Error ? error.message : String(error));
    }
  }
}

/**
 * How many requests are parked in `isolate` right now; undefined when the worker could not say
 * (a real runtime may fail the count itself while it recovers from a fault).
 */
export async function parkedNow(worker: ScenarioTarget, barrier: ParkBarrier, isolate: Isolate): Promise<number | undefined> {
  try {
    const response = await worker.fetchIsolate(isolate, barrier.count.path);
    return barrier.parked(response.status, await response.json());
  } catch {
    return undefined;
  }
}

/** The park count of `isolate`, asked until it answers (a count can fail once after a fault). */
async function parkedBaseline(worker: ScenarioTarget, barrier: ParkBarrier, isolate: Isolate): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const parked = await parkedNow(worker, barrier, isolate);
    if (parked !== undefined) return parked;
  }
  throw new Error(`the ${isolate} isolate never said how many requests it has parked (${barrier.count.path} failed 5 times)`);
}

/**
 * Polls the park count of `isolate` until it reaches `target`, or until `settled()` says a
 * sibling already answered (it failed before it could park: no point waiting, the checkers
 * will see it). When the deadline passes first: the last count the worker gave.
 */
async function parkedReach(
  worker: ScenarioTarget, barrier: ParkBarrier, isolate: Isolate, target: number, settled: () => boolean, deadlineMs: number,
): Promise<true | number | undefined> {
  const deadline = Date.now() + deadlineMs;
  let last: number | undefined;
  while (Date.now() < deadline) {
    if (settled()) return true;
    last = (await parkedNow(worker, barrier, isolate)) ?? last;
    if (last !== undefined && last >= target) return true;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return last;
}

export interface ExecuteOptions {
  /** How long to wait for siblings to reach the park barrier. */
  barrierTimeoutMs?: number;
  /** Who speaks to the worker; the canary's own protocol by default. */
  client?: Client;
}

/**
 * The Durable Objects a run addresses, by the names the engine gives them: one per run (its
 * id), and a second (`otherObject`) when the workload touches another object. A client maps
 * these names onto the worker's (a profile's name template); a preflight asks them in advance.
 */
export function runObjects(scenario: Scenario, config: RunConfig): { object?: string; otherObject?: string } {
  const { fault, workload } = scenario;
  const touches = (s: Siblings | undefined) => (s?.object ?? 0) + (s?.otherObject ?? 0);
  if (fault.place !== "durable-object" && touches(workload.inflight) + touches(workload.later) === 0) return {};
  const object = runId(scenario, config).replaceAll(/[^a-z0-9-]/gi, "-");
  const other = (workload.inflight?.otherObject ?? 0) + (workload.later?.otherObject ?? 0) > 0;
  return other ? { object, otherObject: `${object}-other` } : { object };
}

export async function executeScenario(
  worker: ScenarioTarget, scenario: Scenario, config: RunConfig, options: ExecuteOptions = {},
): Promise<ScenarioRun> {
  const id = runId(scenario, config);
  const client = options.client ?? CANARY_CLIENT;
  const { park, probes, objects: counter, siblings } = client;
  const recorder = new Recorder(worker, client, id);
  const outputBefore = worker.output().length;
  const { topology } = config;
  const { fault, workload } = scenario;
  const counts = (s: Siblings | undefined) => ({ handler: s?.handler ?? 0, object: s?.object ?? 0, otherObject: s?.otherObject ?? 0 });
  const inflight = counts(workload.inflight);
  const later = counts(workload.later);
  const { object, otherObject = `${object}-other` } = runObjects(scenario, config);
  const objects = objectIsolate(topology);
  const isolates: Isolate[] = topology === "split" ? ["handler", "objects"] : ["handler"];
  const seed = (index: number) => seedFor(id, index, config.seed);
  // Seeds 0.. are the siblings', 10,000.. the handles': the fault's is apart from both.
  const faultPath = client.fault(fault, object ?? "none", seed(20_000));
  if (!faultPath) throw new Error(`${client.name} has no route for a ${fault.kind} in ${fault.place}`);

  for (const isolate of isolates) {
    for (const probe of probes?.before ?? []) await recorder.op("probe", isolate, probe);
  }
  const handles: { id: number; text: string }[] = [];
  for (let i = 0; i < (client.handles ? workload.handles ?? 0 : 0); i++) {
    const text = `handle-${i}-${seed(10_000 + i)}`;
    const created = await recorder.op("setup", "handler", client.handles!.create(text));
    if (created.status === 200 && created.body) handles.push({ id: client.handles!.id(created.body), text });
  }
  if (object && counter) {
    for (let i = 0; i < SETUP_WRITES; i++) await recorder.op("setup", objects, counter.write(object));
    await recorder.op("probe", objects, counter.read(object));
  }

  // In flight: park them inside the worker and wait until every one is counted; a worker that
  // cannot park gets them alongside the fault instead.
  const target = new Map<Isolate, number>();
  for (const isolate of park ? isolates : []) target.set(isolate, await parkedBaseline(worker, park!, isolate));
  const role: Role = park ? "inflight" : "concurrent";
  const sent: Promise<HistoryRecord>[] = [];
  let seedIndex = 0;
  // Their deadline runs from the fault's answer: until then the harness is still sending it (a
  // storm of thousands of faults takes seconds), and nothing is late yet.
  const faultAnswered = Promise.withResolvers<void>();
  const siblingCount = inflight.handler + inflight.object + inflight.otherObject + (workload.asleep ?? 0);
  const siblingDeadline: Deadline = { ms: siblingDeadlineMs(worker.deadlineMs, siblingCount), from: faultAnswered.promise };
  const barrierMs = options.barrierTimeoutMs ?? 10_000;
  const faultOp = { kind: `${fault.kind}@${fault.place}`, path: faultPath };
  // A resume fault parks first, so a release that wakes in order wakes it ahead of its siblings;
  // it strikes when the release wakes them.
  const resumes = fault.place === "resume";
  if (resumes) {
    if (!park) throw new Error(`${client.name} cannot park requests, so nothing can fault as it resumes`);
    const resumeFault = recorder.op("fault", "handler", faultOp, siblingDeadline);
    sent.push(resumeFault);
    let answered = false;
    void resumeFault.then(() => { answered = true; });
    target.set("handler", target.get("handler")! + 1);
    const reached = await parkedReach(worker, park, "handler", target.get("handler")!, () => answered, barrierMs);
    if (reached !== true) {
      faultAnswered.resolve();
      throw new Error(`the resume fault never parked in the handler isolate after ${barrierMs / 1000} s (${reached ?? "an unknown number"} parked of ${target.get("handler")})`);
    }
  }
  for (let i = 0; i < inflight.handler; i++) sent.push(recorder.op(role, "handler", siblings!.inflight(seed(seedIndex++), resumes), siblingDeadline));
  for (let i = 0; i < inflight.object; i++) sent.push(recorder.op(role, objects, counter!.inflight(object!), siblingDeadline));
  for (let i = 0; i < inflight.otherObject; i++) {
    sent.push(recorder.op(role, objects, { ...counter!.inflight(otherObject), kind: "other-object-park" }, siblingDeadline));
  }
  if (park) {
    target.set("handler", target.get("handler")! + inflight.handler);
    target.set(objects, target.get(objects)! + inflight.object + inflight.otherObject);
    let anySettled = false;
    for (const sibling of sent) void sibling.then(() => { anySettled = true; });
    for (const isolate of isolates) {
      const reached = await parkedReach(worker, park, isolate, target.get(isolate)!, () => anySettled, barrierMs);
      if (reached !== true) {
        faultAnswered.resolve();
        throw new Error(`in-flight siblings never all parked in the ${isolate} isolate: ${reached ?? "an unknown number"} parked of ${target.get(isolate)} after ${barrierMs / 1000} s, none answered. ` +
          "A limit of this setup, not a verdict: the worker may not hold that many requests at once (the canaries park about 4,000 in " +
          "their default 64 MiB of linear memory when each holds the whole 16 KiB buffer, as the catalog's do; `wrh build --max-memory 512MiB` raises it) or answer the count behind them in time");
      }
    }
  }

  // Asleep on a timer in the handler: given time to reach the worker and fall asleep before the
  // fault is sent, they wake after it has answered.
  const asleep: Promise<HistoryRecord>[] = [];
  const firstAsleep = recorder.records.length;
  for (let i = 0; i < (workload.asleep ?? 0); i++) {
    asleep.push(recorder.op(role, "handler", siblings!.asleep!(seed(seedIndex++), ASLEEP_MS), siblingDeadline));
  }
  if (asleep.length) await new Promise((resolve) => setTimeout(resolve, ASLEEP_SETTLE_MS));
  const asleepSince = Math.max(0, ...recorder.records.slice(firstAsleep).map((r) => r.start));
  sent.push(...asleep);

  // A resume fault strikes at the release below.
  if (fault.storm) {
    const { requests, every } = fault.storm;
    await recorder.sequence("handler", Array.from({ length: requests }, (_, i) =>
      i % every === 0 ? { role: "fault" as const, operation: faultOp } : { role: "later" as const, operation: siblings!.ok() }));
  } else if (!resumes) {
    await recorder.op("fault", faultIsolate(fault, topology), faultOp);
  }
  faultAnswered.resolve();
  // The sleepers must still be asleep when the fault strikes. A harness that sends it late (its
  // own event loop held up, e.g. by workerd starting beside it) would see them wake first and
  // succeed, which says nothing of the worker: the run is done again instead of judged.
  const faultSent = recorder.records.find((r) => r.role === "fault")?.start;
  if (asleep.length && faultSent !== undefined && faultSent - asleepSince > ASLEEP_MS / 2) {
    await Promise.allSettled(sent);
    throw new InterleavingError(`the fault went out ${Math.round(faultSent - asleepSince)} ms after the siblings fell asleep, ` +
      `too close to their ${ASLEEP_MS} ms wake-up for the fault to strike while they sleep`);
  }

  // Their wake-up is the first entry after the fault: nothing else is sent until they answered.
  await Promise.all(asleep);
  // Siblings the worker failed with the fault (they left the park without a release) get to
  // answer before the release probe: it would take the isolate first, and their answers,
  // already given, would reach the harness after it, as if they had failed late.
  if (park && sent.length) {
    let left = 0;
    for (const isolate of isolates) left += target.get(isolate)! - ((await parkedNow(worker, park, isolate)) ?? target.get(isolate)!);
    if (left > 0) await settledOrGrace(sent, left, FAILED_SIBLINGS_GRACE_MS);
  }
  // Recorded: its answer says how many siblings were still parked, so "failed fast" (none left
  // to release in the faulted isolate) is judged from what the worker saw, not from timing.
  for (const isolate of park ? isolates : []) await recorder.op("probe", isolate, park!.release);
  await Promise.all(sent);

  // The first later request goes alone and carries a string: the first entry after a fault is
  // where an argument written before the instance check would land in the wrong memory.
  if (later.handler > 0) await recorder.op("later", "handler", siblings!.later(seed(seedIndex++), true));
  if (object && counter) await recorder.op("probe", objects, counter.read(object));
  for (const handle of handles) await recorder.op("probe", "handler", client.handles!.read(handle.id, handle.text));
  const laterOps: Promise<HistoryRecord>[] = [];
  for (let i = 1; i < later.handler; i++) laterOps.push(recorder.op("later", "handler", siblings!.later(seed(seedIndex++), false)));
  for (let i = 0; i < later.object; i++) laterOps.push(recorder.op("later", objects, counter!.write(object!)));
  for (let i = 0; i < later.otherObject; i++) {
    laterOps.push(recorder.op("later", objects, { ...counter!.write(otherObject), kind: "other-object-increment" }));
  }
  await Promise.all(laterOps);

  for (const isolate of isolates) {
    for (const probe of probes?.after ?? []) await recorder.op("probe", isolate, probe);
  }
  if (object && counter) await recorder.op("probe", objects, counter.read(object));

  return {
    runId: id, scenario, config, object, records: recorder.records, output: worker.output().slice(outputBefore),
    client: client.name,
  };
}

/** In-flight siblings' deadline: the request deadline, and time to receive every one's answer. */
function siblingDeadlineMs(deadlineMs: number, siblings: number): number {
  return deadlineMs + RECEIVE_MS_PER_SIBLING * siblings;
}

/**
 * The answer that came closest to its deadline (`deadlineMs`, the request deadline the run had):
 * the record, milliseconds from when its deadline started to its answer, and that deadline.
 * An in-flight or concurrent sibling's deadline starts at the fault's answer (counted from the
 * last fault's: a storm that ends on ordinary requests makes this a little longer than the
 * deadline saw, never shorter); everyone else's at its send. Near its deadline, a request that
 * timed out in the same run may have been slow, not hung.
 */
export function slowestAnswer(records: readonly HistoryRecord[], deadlineMs: number): { record: HistoryRecord; ms: number; deadlineMs: number } | undefined {
  const faultAnswered = Math.max(0, ...records.filter((r) => r.role === "fault").map((r) => r.end));
  const sibling = (r: HistoryRecord) => r.role === "inflight" || r.role === "concurrent";
  const siblings = siblingDeadlineMs(deadlineMs, records.filter(sibling).length);
  let slowest: { record: HistoryRecord; ms: number; deadlineMs: number } | undefined;
  for (const record of records) {
    if (typeof record.status !== "number") continue;
    const [from, deadline] = sibling(record) ? [Math.max(record.start, faultAnswered), siblings] : [record.start, deadlineMs];
    const ms = record.end - from;
    if (!slowest || ms / deadline > slowest.ms / slowest.deadlineMs) slowest = { record, ms, deadlineMs: deadline };
  }
  return slowest;
}
