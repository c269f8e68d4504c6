// What a probe read of a worker's state: the typed view of a probe record's body. Every field
// is optional: a runtime reports what it exposes, and what it does not is absent (the checkers
// then say unknown, never guess). Which probe reports what:
// - `info` (`/__harness/info`, the host's view, never entering the guest): `generation`,
//   `abortHookRuns`, `reinitRequests`, `guestAbortHookRuns`, `stackPointer`, `memoryBytes`,
//   `heapBytes`, `inFlight`, `parked`;
// - `stats` (`/stats`, read inside the guest): `served`, `drops`, `pendingDrops`, `panicking`,
//   `instance`, `faults`, `generation`;
// - `release`: `released`, how many requests were still parked;
// - `object-state` and every Durable Object write: `memory` and `stored`, the counter's counts.
import type { HistoryRecord } from "./record.ts";

export interface Snapshot {
  /** The Wasm instance serving the isolate: 1, then +1 per new instance. */
  generation?: number;
  /** How often the host ran the abort hook, at the one call site it knows. */
  abortHookRuns?: number;
  /** Reinit requests the guest made (one per abort it saw). */
  reinitRequests?: number;
  /** The guest's own count of abort-hook runs, carried out of each memory by its reinit request. */
  guestAbortHookRuns?: number;
  /** The shadow-stack pointer (or, on real builds, the address of a local at a fixed depth). */
  stackPointer?: number;
  /** Linear memory, in bytes. */
  memoryBytes?: number;
  /** Bytes of the heap allocated and not yet freed, as the guest's allocator counts them. */
  heapBytes?: number;
  /** Tasks in the runtime's task table. */
  inFlight?: number;
  /** Requests parked at the barrier. */
  parked?: number;
  /** Requests the release probe found still parked. */
  released?: number;
  /** Requests the guest served in this memory. */
  served?: number;
  /** Destructors the guest ran in this memory. */
  drops?: number;
  /** Counted values whose destructor has not run. */
  pendingDrops?: number;
  /** std's panic state: true outside any panic means it was left corrupt. */
  panicking?: boolean;
  /** The number this linear memory took at its first start: a new memory, a new number. */
  instance?: number;
  /** Fault requests the guest began executing in this memory. */
  faults?: number;
  /** The Durable Object counter's in-memory count. */
  memory?: number;
  /** The Durable Object counter's stored count. */
  stored?: number;
}

const NUMBERS = [
  "generation", "abortHookRuns", "reinitRequests", "guestAbortHookRuns", "stackPointer", "memoryBytes", "heapBytes", "inFlight", "parked", "released",
  "served", "drops", "pendingDrops", "instance", "faults", "memory", "stored",
] as const satisfies readonly (keyof Snapshot)[];

/** What `record` reported: only from an answer that succeeded, only fields of the right type. */
export function snapshot(record: HistoryRecord): Snapshot {
  const body = record.status === 200 ? record.body : undefined;
  const found: Snapshot = {};
  if (!body) return found;
  for (const field of NUMBERS) if (typeof body[field] === "number") found[field] = body[field];
  if (typeof body.panicking === "boolean") found.panicking = body.panicking;
  return found;
}

/** A numeric field of a snapshot. */
export type SnapshotField = (typeof NUMBERS)[number];
