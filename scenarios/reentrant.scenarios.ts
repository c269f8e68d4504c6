// Re-entrant JS→Rust→JS→Rust chains with a fault at each depth: outer frames must never go on
// after an inner abort, and a panic or JS error must unwind every level above it.
import type { Scenario } from "../harness/history/scenario.ts";
import { ABORT, JS_ERROR, PANIC, contained, resets, unrecovered } from "./expectations.ts";

const DEPTH = 4;
const siblings = { inflight: { handler: 8 }, later: { handler: 8 } };
const kinds = [
  { kind: "panic", expect: PANIC },
  { kind: "abort", expect: ABORT },
  { kind: "js-error", expect: JS_ERROR },
] as const;

export default [
  ...kinds.flatMap(({ kind, expect }) => Array.from({ length: DEPTH }, (_, i): Scenario => ({
    name: `reentrant-${kind}-at-depth-${i + 1}`,
    description: `${kind} at level ${i + 1} of a ${DEPTH}-level JS→Rust→JS→Rust chain`,
    fault: { kind, place: "reentrant", depth: DEPTH, at: i + 1 },
    workload: siblings,
    expect,
  }))),
  ...Array.from({ length: DEPTH - 1 }, (_, i): Scenario => ({
    name: `reentrant-abort-swallowed-at-depth-${i + 2}`,
    description: `abort at level ${i + 2} of ${DEPTH}; the JS between levels catches it and returns normally`,
    fault: { kind: "abort", place: "reentrant", depth: DEPTH, at: i + 2, swallow: true },
    workload: siblings,
    // Without recovery the outer frames run on and the request succeeds on a dead instance.
    expect: { none: unrecovered(["ok", "Abort"]), reset: resets(["Abort"]), unwind: resets(["Abort"]) },
  })),
  ...Array.from({ length: DEPTH - 1 }, (_, i): Scenario => ({
    name: `reentrant-panic-swallowed-at-depth-${i + 2}`,
    description: `panic at level ${i + 2} of ${DEPTH}, caught by the JS between levels: the outer frames go on and must find their stack data intact`,
    fault: { kind: "panic", place: "reentrant", depth: DEPTH, at: i + 2, swallow: true },
    workload: siblings,
    // Under unwind the panic is contained and the chain answers; under panic=abort it is an abort.
    expect: { none: unrecovered(["ok", "Abort"]), reset: resets(["Abort"]), unwind: contained(["ok"]) },
  })),
] satisfies Scenario[];
