// The harness's own cost per operation: the same request sent bare on the harness's route to
// the worker (RunningWorker.bare, body read as text), as a scenario operation (deadline, body
// handling, the client's reading of the response, the history record), and through Miniflare's
// dispatchFetch (RunningWorker.fetch: dispatchFetch under the runner's deadline), the way a test
// would send it without the harness. Interleaved round by round, one request at a time, so all
// three see the same workerd and the same machine load.
import { CANARY_CLIENT } from "../engine/client.ts";
import { Recorder } from "../engine/execute.ts";
import type { RunningWorker } from "../runner/start-worker.ts";
import { type Summary, summarize } from "./stats.ts";

/** Microseconds per request: bare, through the harness and through dispatchFetch, over `rounds` of `requests` each. */
export async function harnessOverhead(
  worker: RunningWorker, rounds: number, requests: number, path = "/ok",
): Promise<{ bare: Summary; harness: Summary; dispatchFetch: Summary }> {
  const bare: number[] = [];
  const harness: number[] = [];
  const dispatched: number[] = [];
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
    const sendDispatched = async () => dispatched.push(await perRequest(async () => (await worker.fetch(path)).text()));
    // Each goes first in turn: whichever runs later finds workerd warmer.
    const order = [sendBare, sendRecorded, sendDispatched];
    for (let i = 0; i < order.length; i++) await order[(round + i) % order.length]!();
    const failed = recorder.records.find((r) => r.status !== 200);
    if (failed) throw new Error(`${path} failed through the harness: ${JSON.stringify(failed)}`);
  }
  return { bare: summarize(bare), harness: summarize(harness), dispatchFetch: summarize(dispatched) };
}
