// The research's hypotheses about real workers-rs (research notes, workers-rs.md §6), each as a
// scenario the reference runtime keeps. Which are confirmed on the newest release, and how to
// reproduce them, is in docs/findings.md.
// - H1, stale pointers in the window between a scheduled and a performed reset, and H2, a
//   double reset in abort mode: siblings asleep on a timer wake first after the fault, through
//   a closure of the faulted instance instead of the shim's entry point.
// - H5, stack overflow only half covered: stack-overflow-with-siblings (recovery.scenarios.ts).
import type { Scenario } from "../harness/history/scenario.ts";
import { ABORT, PANIC } from "./expectations.ts";

const asleep = { asleep: 8, later: { handler: 8 } };

export default [
  {
    name: "panic-wakes-sleeping-siblings",
    description: "a panic while siblings sleep on a timer: their wake-up is the first entry after it (H1, H2)",
    fault: { kind: "panic", place: "handler" },
    workload: asleep,
    topologies: ["shared"],
    expect: PANIC,
  },
  {
    name: "abort-wakes-sleeping-siblings",
    description: "a trap while siblings sleep on a timer: their wake-up is the first entry after it (H1, H2)",
    fault: { kind: "abort", place: "handler" },
    workload: asleep,
    topologies: ["shared"],
    expect: ABORT,
  },
] satisfies Scenario[];
