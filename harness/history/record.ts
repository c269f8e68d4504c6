// The history: one record per operation the engine performed, in the order they were invoked.
// Checkers judge a history after the scenario ran, never during, so every verdict can be
// recomputed from a saved history (`HistoryRecord` lines in a .jsonl file).
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Why an operation ran:
 * - `fault`: the operation meant to fail;
 * - `inflight`: a sibling parked inside Rust when the fault struck;
 * - `later`: a sibling started after the fault had answered;
 * - `setup`: preparation (Durable Object writes the state checks rely on);
 * - `probe`: a read of runtime or Durable Object state for the checkers.
 */
export type Role = "fault" | "inflight" | "later" | "setup" | "probe";

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

/** Appends records to a JSON-lines file, creating its directory. */
export function appendHistory(path: string, records: readonly HistoryRecord[]): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, records.map((r) => JSON.stringify(r)).join("\n") + (records.length ? "\n" : ""));
}

export function readHistory(path: string): HistoryRecord[] {
  return readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as HistoryRecord);
}
