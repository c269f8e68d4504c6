// The harness's own cost per operation: the same request sent bare on the harness's route to
// the worker (RunningWorker.bare, body read as text) and as a scenario operation (deadline, body
// handling, the client's reading of the response, the history record). Interleaved round by round, one
// request at a time, so both see the same workerd and the same machine load.
import { CANARY_CLIENT } from "../engine/client.ts";
import { Recorder } from "../engine/execute.ts";
import type { RunningWorker } from "../runner/start-worker.ts";
import { type Summary, summarize } from "./stats.ts";

/** Microseconds per request, bare and through the harness, over `rounds` of `requests` each. */
export async function harnessOverhead(worker: RunningWorker, rounds: number, requests: number, path = "/ok"): Promise<{ bare: Summary; harness: Summary }> {
  const bare: number[] = [];
  const harness: number[] = [];
  const operation = { kind: "ok", path };
  const perRequest = async (send: () => Promise<unknown>) => {
    const start = performance.now();
    for (let i = 0; i < requests; i++) await send();
    return ((performance.now() - start) * 1000) / requests;
  };
  for (let round = 0; round < rounds; round++) {
    const recorder = new Recorder(worker, CANARY_CLIENT, `overhead-${round}`);
    const sendBare = async () => bare.push(await perRequest(async () => (await worker.bare(path)).text()));
    const sendRecorded = async () => harness.push(await perRequest(() => recorder.op("later", "handler", operation)));
    // Each goes first in every other round: whichever runs second finds workerd warmer.
    if (round % 2 === 0) {
      await sendBare();
      await sendRecorded();
    } else {
      await sendRecorded();
      await sendBare();
    }
    const failed = recorder.records.find((r) => r.status !== 200);
    if (failed) throw new Error(`${path} failed through the harness: ${JSON.stringify(failed)}`);
  }
  return { bare: summarize(bare), harness: summarize(harness) };
}
