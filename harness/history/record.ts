// The history: one record per operation the engine performed, in the order they were invoked.
// Checkers judge a history after the scenario ran, never during, so every verdict can be
// recomputed from a saved history: a JSON-lines file where each run is a `RunHeader` line
// followed by its `HistoryRecord` lines (`wrh report <file>` judges it again).
import { appendFileSync, closeSync, mkdirSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { dirname } from "node:path";
import type { ScenarioRun } from "../engine/execute.ts";

/**
 * Why an operation ran:
 * - `fault`: the operation meant to fail;
 * - `inflight`: a sibling parked inside Rust when the fault struck;
 * - `concurrent`: a sibling sent alongside the fault to a worker that cannot park requests, so
 *   it may have finished before the fault or run into it;
 * - `later`: a sibling started after the fault had answered;
 * - `setup`: preparation (Durable Object writes the state checks rely on);
 * - `probe`: a read of runtime or Durable Object state for the checkers.
 */
export type Role = "fault" | "inflight" | "concurrent" | "later" | "setup" | "probe";

/** Which isolate served an operation: the stateless handler's or (split topology) the objects'. */
export type Isolate = "handler" | "objects";

export interface HistoryRecord {
  /** Identifies the run: scenario, build, strategy, topology and repeat. */
  run: string;
  /** 1, 2, … in invocation order within the run. */
  id: number;
  role: Role;
  /** Operation kind, e.g. `park`, `sleep`, `panic`, `object-increment`, `info`. */
  kind: string;
  isolate: Isolate;
  path: string;
  /** Milliseconds since the run started: invocation and completion. */
  start: number;
  end: number;
  /** HTTP status, or `timeout` when the deadline passed, or `unreachable` when workerd did not answer. */
  status: number | "timeout" | "unreachable";
  /** For failures: the class the worker named (`wrh-error`), e.g. PanicError, StaleInstance. */
  errorClass?: string;
  message?: string;
  /** Generation that served the operation (`wrh-generation`). */
  generation?: number;
  /** For responses that carry checked data: whether it was right. */
  integrity?: "ok" | "wrong";
  /** Response body, when it is JSON (small by construction). */
  body?: Record<string, unknown>;
}

export function succeeded(record: HistoryRecord): boolean {
  return record.status === 200;
}

/**
 * The line before a run's records: everything about the run except its records (scenario,
 * configuration, worker output), so the file alone is enough to judge it again.
 */
export type RunHeader = { header: "run" } & Omit<ScenarioRun, "records">;

export class HistoryFileError extends Error {
  override name = "HistoryFileError";
}

/** Appends a run (header, then records) to a JSON-lines file, creating its directory. */
export function appendHistory(path: string, run: ScenarioRun): void {
  mkdirSync(dirname(path), { recursive: true });
  const { records, ...rest } = run;
  const header: RunHeader = { header: "run", ...rest };
  appendFileSync(path, [header, ...records].map((line) => JSON.stringify(line)).join("\n") + "\n");
}

/** The lines of a file, read a chunk at a time: a history can be larger than a string may be. */
function* linesOf(path: string): Generator<string> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new HistoryFileError(`${path}: cannot read: ${(error as Error).message}`);
  }
  try {
    const chunk = Buffer.alloc(1 << 20);
    const decoder = new StringDecoder("utf8");
    let pending = "";
    for (let read; (read = readSync(fd, chunk)) > 0;) {
      const lines = (pending + decoder.write(chunk.subarray(0, read))).split("\n");
      pending = lines.pop()!;
      yield* lines;
    }
    pending += decoder.end();
    if (pending) yield pending;
  } finally {
    closeSync(fd);
  }
}

/**
 * The runs in a history file, as the engine produced them, one at a time: each is complete
 * (header and every record) when it is yielded, and nothing before it is held.
 */
export function* historyRuns(path: string): Generator<ScenarioRun> {
  let current: ScenarioRun | undefined;
  let index = 0;
  for (const line of linesOf(path)) {
    index++;
    if (!line.trim()) continue;
    let value: (RunHeader | HistoryRecord) & { header?: unknown };
    try {
      value = JSON.parse(line);
    } catch {
      throw new HistoryFileError(`${path}:${index}: not JSON; is this a history.jsonl written by wrh?`);
    }
    if (value.header === "run") {
      if (current) yield current;
      const { header: _, ...run } = value as RunHeader;
      current = { ...run, records: [] };
    } else if (typeof (value as HistoryRecord).run !== "string") {
      throw new HistoryFileError(`${path}:${index}: neither a run header nor a history record; is this a history.jsonl written by wrh?`);
    } else if (current?.runId === (value as HistoryRecord).run) {
      current.records.push(value as HistoryRecord);
    } else {
      throw new HistoryFileError(`${path}:${index}: a record of run ${(value as HistoryRecord).run} without its run header line; histories written before the header format cannot be judged again`);
    }
  }
  if (!current) throw new HistoryFileError(`${path}: no runs in it`);
  yield current;
}

/** Every run in a history file. */
export function readHistory(path: string): ScenarioRun[] {
  return [...historyRuns(path)];
}
