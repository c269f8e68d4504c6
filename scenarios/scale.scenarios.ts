// Scale: one fault among a thousand siblings parked inside Rust.
import type { Scenario } from "../harness/history/scenario.ts";
import { ABORT, PANIC } from "./expectations.ts";

const siblings = { inflight: { handler: 1000 }, later: { handler: 50 } };

export default [
  {
    name: "panic-with-1000-siblings",
    description: "a panic with 1,000 siblings parked in Rust",
    fault: { kind: "panic", place: "handler" },
    workload: siblings,
    topologies: ["shared"],
    expect: PANIC,
  },
  {
    name: "abort-with-1000-siblings",
    description: "an abort with 1,000 siblings parked in Rust: all must fail fast, none hang",
    fault: { kind: "abort", place: "handler" },
    workload: siblings,
    topologies: ["shared"],
    expect: ABORT,
  },
] satisfies Scenario[];
