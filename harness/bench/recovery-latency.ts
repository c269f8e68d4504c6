// Recovery latency: from a fault's response to the response of the next request, next to the
// same request after a request that did not fault. Interleaved, round by round.
import type { RunningWorker } from "../runner/start-worker.ts";
import { type Summary, summarize, time } from "./stats.ts";

export const FAULTS = ["panic", "abort", "oom", "stack-overflow", "js-error"] as const;

async function ok(worker: RunningWorker): Promise<void> {
  const response = await worker.fetch("/ok");
  if (response.status !== 200) throw new Error(`/ok after a fault answered ${response.status}`);
}

export async function recoveryLatency(
  worker: RunningWorker, rounds: number,
): Promise<{ noFault: Summary; afterFault: Record<string, Summary> }> {
  const noFault: number[] = [];
  const afterFault = Object.fromEntries(FAULTS.map((f) => [f, [] as number[]]));
  for (let round = 0; round < rounds; round++) {
    await ok(worker);
    noFault.push(await time(() => ok(worker)));
    for (const fault of FAULTS) {
      await (await worker.fetch(`/${fault}`)).text();
      afterFault[fault]!.push(await time(() => ok(worker)));
    }
  }
  return {
    noFault: summarize(noFault),
    afterFault: Object.fromEntries(Object.entries(afterFault).map(([f, s]) => [f, summarize(s)])),
  };
}
