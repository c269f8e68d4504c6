// The history: one record per operation the engine performed, in the order they were invoked.
// Checkers judge a history after the scenario ran, never during, so every verdict can be
// recomputed from a saved history (./file.ts). This folder is the schema every stage shares:
// it imports nothing from the engine, the runner or the checkers.

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

/** The worker answered the operation with success (HTTP 200), whatever the data it carried. */
export const answered = (record: HistoryRecord): boolean => record.status === 200;

/** What success means for an operation: answered, and the data it carried, where checked, was right. */
export const succeeded = (record: HistoryRecord): boolean => answered(record) && record.integrity !== "wrong";
