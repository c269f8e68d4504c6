// Hypotheses H1-H6 about real workers-rs (docs/findings.md, "Hypotheses H1–H6 on the newest release"), each as a
// scenario the reference runtime keeps. Which are confirmed on the newest release, and how to
// reproduce them, is in docs/findings.md.
// - H1, stale pointers in the window between a scheduled and a performed reset, and H2, a
//   double reset in abort mode: siblings asleep on a timer wake first after the fault, through
//   a closure of the faulted instance instead of the shim's entry point.
// - H3, the executor stranding a batch after an unwound poll: a request parked with the in-flight
//   siblings faults as the release wakes them all; a runtime that polls the woken in one batch
//   meets the fault first and must still poll the rest.
// - H5, stack overflow only half covered: stack-overflow-with-siblings (recovery.scenarios.ts).
// - H6, logical poison that unwind never heals: a panic while holding a Mutex. The contract keeps
//   the program's state across a panic under unwind, its poison included, so requests that do
//   not take the lock must survive and `/stats` tells whether the poison outlived the run.
import type { Scenario } from "../harness/history/scenario.ts";
import { ABORT, JS_ERROR, PANIC } from "./expectations.ts";

const asleep = { asleep: 8, later: { handler: 8 } };
const woken = { inflight: { handler: 8 }, later: { handler: 8 } };

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
  {
    name: "panic-on-resume-with-siblings",
    description: "a parked request panics as the release wakes it first of nine: the other eight must still run (H3)",
    fault: { kind: "panic", place: "resume" },
    workload: woken,
    topologies: ["shared"],
    expect: PANIC,
  },
  {
    name: "js-error-on-resume-with-siblings",
    description: "a parked request throws a JS error through Rust as the release wakes it first of nine: the other eight must still run (H3)",
    fault: { kind: "js-error", place: "resume" },
    workload: woken,
    topologies: ["shared"],
    expect: JS_ERROR,
  },
  {
    name: "panic-holding-lock",
    description: "a panic while holding a Mutex: siblings that do not take it survive; under unwind the poison stays (H6, lockPoisoned in /stats)",
    fault: { kind: "panic-holding-lock", place: "handler" },
    workload: { inflight: { handler: 8 }, later: { handler: 8 } },
    topologies: ["shared"],
    expect: PANIC,
  },
] satisfies Scenario[];
