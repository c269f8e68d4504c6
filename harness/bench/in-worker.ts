// Costs inside workerd: a raw `new WebAssembly.Instance` of the guest module, and a guarded
// export call next to a raw call of the same export, sync and async. workerd's clock stands
// still while code runs, so each figure is the wall time of one request doing the operation n
// times, minus the same request doing it 0 times, divided by n; operations are interleaved
// round by round so the ratios compare like with like.
import type { RunningWorker } from "../runner/start-worker.ts";
import { type Summary, summarize, time } from "./stats.ts";

export const OPERATIONS = { instantiate: 200, "raw-call": 5000, "guarded-call": 5000, "raw-async": 5000, "guarded-async": 5000 } as const;
export type Operation = keyof typeof OPERATIONS;

async function request(worker: RunningWorker, op: Operation, n: number): Promise<number> {
  return time(async () => {
    const response = await worker.fetch(`/__harness/bench?op=${op}&n=${n}`);
    if (response.status !== 200) throw new Error(`bench ${op}: ${response.status} ${await response.text()}`);
  });
}

/** Microseconds per operation, summarised over `rounds`. */
export async function perOperationCost(worker: RunningWorker, rounds: number): Promise<Record<Operation, Summary>> {
  const samples = Object.fromEntries(Object.keys(OPERATIONS).map((op) => [op, [] as number[]])) as Record<Operation, number[]>;
  for (const op of Object.keys(OPERATIONS) as Operation[]) await request(worker, op, 50); // warm up
  for (let round = 0; round < rounds; round++) {
    for (const [op, n] of Object.entries(OPERATIONS) as [Operation, number][]) {
      const empty = await request(worker, op, 0);
      const full = await request(worker, op, n);
      samples[op].push(((full - empty) * 1000) / n);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([op, s]) => [op, summarize(s)])) as Record<Operation, Summary>;
}
