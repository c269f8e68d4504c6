// Throughput under a fault storm: requests per second with 0 %, 1 % and 10 % of requests
// panicking, `concurrency` in flight at a time; failed non-faulting requests are the blast radius.
import type { RunningWorker } from "../runner/start-worker.ts";
import { type Summary, summarize, time } from "./stats.ts";

export const FAULT_RATES = [0, 0.01, 0.1] as const;

async function storm(worker: RunningWorker, requests: number, rate: number, concurrency: number): Promise<{ ms: number; blast: number }> {
  const every = rate === 0 ? Infinity : Math.round(1 / rate);
  let next = 0;
  let blast = 0;
  const lane = async () => {
    while (next < requests) {
      const i = next++;
      const faulting = i % every === every - 1;
      const response = await worker.fetch(faulting ? "/panic" : "/ok");
      await response.text();
      if (!faulting && response.status !== 200) blast++;
    }
  };
  const ms = await time(() => Promise.all(Array.from({ length: concurrency }, lane)));
  return { ms, blast };
}

export async function stormThroughput(
  worker: RunningWorker, requests: number, rounds: number, concurrency = 4,
): Promise<Record<string, { requestsPerSecond: Summary; blastRadius: number }>> {
  const rps = Object.fromEntries(FAULT_RATES.map((r) => [r, [] as number[]]));
  const blast = Object.fromEntries(FAULT_RATES.map((r) => [r, 0]));
  for (let round = 0; round < rounds; round++) {
    for (const rate of FAULT_RATES) {
      const result = await storm(worker, requests, rate, concurrency);
      rps[rate]!.push((requests * 1000) / result.ms);
      blast[rate] = Math.max(blast[rate]!, result.blast);
    }
  }
  return Object.fromEntries(FAULT_RATES.map((r) => [r, { requestsPerSecond: summarize(rps[r]!), blastRadius: blast[r]! }]));
}
