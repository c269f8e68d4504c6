// Storms: a fault every k-th request over thousands of requests. A contained fault must leave
// the instance as it was (no drift of the shadow stack, the same generation throughout); a
// fatal one must reset once per fault, every time.
import type { Scenario } from "../harness/history/scenario.ts";
import { ABORT, JS_ERROR, PANIC } from "./expectations.ts";

const siblings = { inflight: { handler: 10 }, later: { handler: 10 }, handles: 2 };

export default [
  {
    name: "panic-storm",
    description: "2,000 requests, every 10th panics",
    fault: { kind: "panic", place: "handler", storm: { requests: 2000, every: 10 } },
    workload: siblings,
    topologies: ["shared"],
    expect: PANIC,
  },
  {
    name: "js-error-storm",
    description: "2,000 requests, every 10th has a JS error cross Rust frames",
    fault: { kind: "js-error", place: "handler", storm: { requests: 2000, every: 10 } },
    workload: siblings,
    topologies: ["shared"],
    expect: JS_ERROR,
  },
  {
    name: "panic-after-await-storm",
    description: "1,000 requests, every 5th panics after an await",
    fault: { kind: "panic", place: "async", storm: { requests: 1000, every: 5 } },
    workload: siblings,
    topologies: ["shared"],
    expect: PANIC,
  },
  {
    name: "repeated-resets",
    description: "20 aborts in a row: one reset each, never two, never none",
    fault: { kind: "abort", place: "handler", storm: { requests: 20, every: 1 } },
    workload: siblings,
    topologies: ["shared"],
    expect: ABORT,
  },
] satisfies Scenario[];
