// Scenarios for each row of the recovery contract, with siblings in flight and after.
// Plain data: see harness/engine/scenario.ts for the format.
import type { Scenario } from "../harness/history/scenario.ts";
import { ABORT, JS_ERROR, PANIC, resets, unrecovered } from "./expectations.ts";

// Tens of siblings in flight and after: the workers-rs suite uses at most three.
const siblings = { inflight: { handler: 20, object: 4 }, later: { handler: 20, object: 4 }, handles: 3 };
/** For faults inside the Durable Object: requests on it and on another object of its class too. */
const objectSiblings = { inflight: { handler: 20, object: 4, otherObject: 4 }, later: { handler: 20, object: 4, otherObject: 4 }, handles: 3 };

export default [
  {
    name: "panic-with-siblings",
    description: "panic! in a stateless request while siblings are parked inside Rust",
    fault: { kind: "panic", place: "handler" },
    workload: siblings,
    expect: PANIC,
  },
  {
    name: "panic-after-await-with-siblings",
    description: "a panic after an await, in an async continuation, while siblings are parked",
    fault: { kind: "panic", place: "async" },
    workload: siblings,
    expect: PANIC,
  },
  {
    name: "abort-with-siblings",
    description: "unreachable while holding shared state, siblings parked",
    fault: { kind: "abort", place: "handler" },
    workload: siblings,
    expect: ABORT,
  },
  {
    name: "oom-with-siblings",
    description: "allocation until linear memory is exhausted, siblings parked",
    fault: { kind: "oom", place: "handler" },
    workload: siblings,
    expect: ABORT,
  },
  {
    name: "stack-overflow-with-siblings",
    description: "recursion until the engine's stack is exhausted (a RangeError), siblings parked",
    fault: { kind: "stack-overflow", place: "handler" },
    workload: siblings,
    expect: ABORT,
  },
  {
    name: "panic-in-drop-with-siblings",
    description: "a panic while unwinding from a panic, siblings parked",
    fault: { kind: "panic-in-drop", place: "handler" },
    workload: siblings,
    expect: ABORT,
  },
  {
    name: "js-error-with-siblings",
    description: "a JS import throws through Rust frames, siblings parked",
    fault: { kind: "js-error", place: "handler" },
    workload: siblings,
    expect: JS_ERROR,
  },
  {
    name: "reentrant-abort-swallowed",
    description: "abort at depth 3 of a JS→Rust→JS→Rust chain of 4 whose JS swallows the error",
    fault: { kind: "abort", place: "reentrant", depth: 4, at: 3, swallow: true },
    workload: siblings,
    expect: { none: unrecovered(["ok"]), reset: resets(["Abort"]), unwind: resets(["Abort"]) },
  },
  {
    name: "reentrant-panic",
    description: "panic at depth 3 of a re-entrant chain of 4",
    fault: { kind: "panic", place: "reentrant", depth: 4, at: 3 },
    workload: siblings,
    expect: PANIC,
  },
  {
    name: "reentrant-js-error",
    description: "a JS error at depth 2 of a re-entrant chain of 3",
    fault: { kind: "js-error", place: "reentrant", depth: 3, at: 2 },
    workload: siblings,
    expect: JS_ERROR,
  },
  {
    name: "object-panic",
    description: "panic inside the Durable Object while other requests use it, another object and the handler",
    fault: { kind: "panic", place: "durable-object" },
    workload: objectSiblings,
    expect: PANIC,
  },
  {
    name: "object-abort",
    description: "unreachable inside the Durable Object while other requests use it, another object and the handler",
    fault: { kind: "abort", place: "durable-object" },
    workload: objectSiblings,
    expect: ABORT,
  },
] satisfies Scenario[];
