// Costs inside workerd: a raw `new WebAssembly.Instance` of the guest module, a guarded export
// call next to a raw call of the same export (sync and async), and recovering from each fault
// kind (fault + next call, against two plain calls). workerd's clock stands
// still while code runs, so each figure is the wall time of one request doing the operation n
// times, minus the same request doing it 0 times, divided by n; operations are interleaved
// round by round so the ratios compare like with like.
import type { RunningWorker } from "../runner/start-worker.ts";
import { type Summary, summarize, time } from "./stats.ts";

export const OPERATIONS = {
  instantiate: 200, "raw-call": 50_000, "guarded-call": 50_000, "raw-async": 20_000, "guarded-async": 20_000,
  "no-recover": 500, "recover-panic": 500, "recover-js-error": 500, "recover-abort": 100, "recover-stack-overflow": 50, "recover-oom": 20,
} as const;
export type Operation = keyof typeof OPERATIONS;

async function request(worker: RunningWorker, op: string, n: number): Promise<number> {
  return time(async () => {
    const response = await worker.fetch(`/__harness/bench?op=${op}&n=${n}`);
    if (response.status !== 200) throw new Error(`bench ${op}: ${response.status} ${await response.text()}`);
  });
}

/**
 * Microseconds per operation, summarised over `rounds`; `ops` limits which are measured and
 * `counts` overrides how many times one request repeats an operation (a call that costs a few
 * nanoseconds needs more repetitions than OPERATIONS gives to rise above a request's noise).
 */
export async function perOperationCost(
  worker: RunningWorker, rounds: number, ops: readonly Operation[] = Object.keys(OPERATIONS) as Operation[],
  counts: Partial<Record<Operation, number>> = {},
): Promise<Record<Operation, Summary>> {
  const count = (op: Operation) => counts[op] ?? OPERATIONS[op];
  const samples = Object.fromEntries(ops.map((op) => [op, [] as number[]])) as Record<Operation, number[]>;
  for (const op of ops) await request(worker, op, Math.min(20, count(op))); // warm up
  for (let round = 0; round < rounds; round++) {
    for (const op of ops) {
      const empty = await request(worker, op, 0);
      const full = await request(worker, op, count(op));
      samples[op].push(((full - empty) * 1000) / count(op));
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([op, s]) => [op, summarize(s)])) as Record<Operation, Summary>;
}
