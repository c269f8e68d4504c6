// Scenarios for each row of the recovery contract, with siblings in flight and after.
// Plain data: see harness/engine/scenario.ts for the format.
import type { Expectation, Scenario } from "../harness/engine/scenario.ts";

/** No recovery: no promise about anything but the fault itself. */
const unrecovered = (fault: Expectation["fault"]): Expectation => ({ fault, reset: false, inflight: "poisoned", later: "poisoned" });
/** The instance dies: in-flight siblings there fail fast, the next request gets a fresh instance. */
const resets = (fault: Expectation["fault"]): Expectation => ({ fault, reset: true, inflight: "fail-fast", later: "succeed" });
/** Only the faulting request fails. */
const contained = (fault: Expectation["fault"]): Expectation => ({ fault, reset: false, inflight: "survive", later: "succeed" });

const siblings = { inflight: { handler: 5, object: 2 }, later: { handler: 5, object: 2 } };

/** An abort: fatal to the instance under every recovering strategy. */
const abort = { none: unrecovered(["Abort"]), reset: resets(["Abort"]), unwind: resets(["Abort"]) };
/** A panic: contained under unwind, an abort under reset. */
const panic = { none: unrecovered(["Abort"]), reset: resets(["Abort"]), unwind: contained(["PanicError"]) };

export default [
  {
    name: "panic-with-siblings",
    description: "panic! in a stateless request while siblings are parked inside Rust",
    fault: { kind: "panic", place: "handler" },
    workload: siblings,
    expect: panic,
  },
  {
    name: "panic-after-await-with-siblings",
    description: "a panic after an await, in an async continuation, while siblings are parked",
    fault: { kind: "panic", place: "async" },
    workload: siblings,
    expect: panic,
  },
  {
    name: "abort-with-siblings",
    description: "unreachable while holding shared state, siblings parked",
    fault: { kind: "abort", place: "handler" },
    workload: siblings,
    expect: abort,
  },
  {
    name: "oom-with-siblings",
    description: "allocation until linear memory is exhausted, siblings parked",
    fault: { kind: "oom", place: "handler" },
    workload: siblings,
    expect: abort,
  },
  {
    name: "stack-overflow-with-siblings",
    description: "recursion until the engine's stack is exhausted (a RangeError), siblings parked",
    fault: { kind: "stack-overflow", place: "handler" },
    workload: siblings,
    expect: abort,
  },
  {
    name: "panic-in-drop-with-siblings",
    description: "a panic while unwinding from a panic, siblings parked",
    fault: { kind: "panic-in-drop", place: "handler" },
    workload: siblings,
    expect: abort,
  },
  {
    name: "js-error-with-siblings",
    description: "a JS import throws through Rust frames, siblings parked",
    fault: { kind: "js-error", place: "handler" },
    workload: siblings,
    expect: { none: unrecovered(["JsError"]), reset: resets(["JsError"]), unwind: contained(["JsError"]) },
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
    expect: panic,
  },
  {
    name: "reentrant-js-error",
    description: "a JS error at depth 2 of a re-entrant chain of 3",
    fault: { kind: "js-error", place: "reentrant", depth: 3, at: 2 },
    workload: siblings,
    expect: { none: unrecovered(["JsError"]), reset: resets(["JsError"]), unwind: contained(["JsError"]) },
  },
  {
    name: "object-panic",
    description: "panic inside the Durable Object while other requests use it and the handler",
    fault: { kind: "panic", place: "durable-object" },
    workload: siblings,
    expect: panic,
  },
  {
    name: "object-abort",
    description: "unreachable inside the Durable Object while other requests use it and the handler",
    fault: { kind: "abort", place: "durable-object" },
    workload: siblings,
    expect: { none: unrecovered(["Abort"]), reset: resets(["Abort"]), unwind: resets(["Abort"]) },
  },
] satisfies Scenario[];
