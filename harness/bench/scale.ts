// Scale: N siblings parked inside Rust around one fault. Reports, per N, whether the harness
// and workerd sustained it, the blast radius, the wall time from first park to last answer,
// and the guest's linear memory per parked sibling. The same for the reference canary and the
// real workers-rs canary: both serve /park, /__harness/parked, /__harness/release and
// /__harness/info (memoryBytes).
import type { Strategy } from "../protocol/recovery.ts";
import { parkedNow } from "../engine/execute.ts";
import { CANARY_CLIENT } from "../engine/client.ts";
import { type RunningWorker, type StartOptions, startCanary } from "../runner/start-worker.ts";

/**
 * Parks released per `/__harness/release` call: releasing 19,500 at once answered the first
 * only after 25 s; in batches of 1,000 answers start within ~1 s and all are in after ~10 s.
 */
const RELEASE_BATCH = 1_000;

export interface ScaleResult {
  siblings: number;
  sustained: boolean;
  /** The most siblings seen parked at once (all of them when sustained). */
  parked: number;
  /** Growth of the guest's linear memory from before the first park to all parked, ÷ siblings. */
  bytesPerPark?: number;
  /** The guest's linear memory with every sibling parked. */
  memoryBytes?: number;
  blastRadius?: number;
  wallMs?: number;
  note?: string;
}

async function memoryBytes(worker: RunningWorker): Promise<number | undefined> {
  const response = await worker.fetch("/__harness/info");
  return response.ok ? ((await response.json()) as { memoryBytes?: number }).memoryBytes : undefined;
}

export async function scale(variant: StartOptions["variant"], strategy: Strategy, sizes: readonly number[]): Promise<ScaleResult[]> {
  const results: ScaleResult[] = [];
  for (const siblings of sizes) {
    // workerd takes ~1 ms per park, and as long again to release: deadlines grow with the count.
    const limitMs = Math.max(60_000, siblings * 6);
    const worker = await startCanary({ variant, strategy, requestDeadlineMs: limitMs, parkTimeoutMs: limitMs });
    let peak = 0;
    try {
      const before = await memoryBytes(worker);
      const started = performance.now();
      let early: { status: number; body: string } | undefined;
      // Every sibling settles into an answer (a failure is an answer too), so none goes unobserved.
      const parked = Array.from({ length: siblings }, (_, i) => worker.fetch(`/park?seed=${i + 1}`)
        .then(async (r) => ({ status: r.status, body: await r.text() }))
        .catch((error: Error) => ({ status: 0, body: error.message }))
        .then((answer) => {
          early ??= answer;
          return answer;
        }));
      const waitMs = Math.max(30_000, siblings * 3);
      const deadline = Date.now() + waitMs;
      let count = 0;
      while ((peak = Math.max(peak, (count = (await parkedNow(worker, CANARY_CLIENT.park!, "handler")) ?? count))) < siblings) {
        // A sibling that answers before the barrier could not park (e.g. the guest ran out of
        // linear memory and aborted, taking every parked sibling with it): waiting is pointless.
        if (early) throw new Error(`only ${count} of ${siblings} parked: a sibling answered first (${early.status} ${early.body.slice(0, 160)})`);
        if (Date.now() > deadline) throw new Error(`only ${count} of ${siblings} parked after ${waitMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const memory = await memoryBytes(worker);
      const bytesPerPark = before !== undefined && memory !== undefined ? Math.round((memory - before) / siblings) : undefined;
      await (await worker.fetch("/panic")).text();
      const release = async () => ((await (await worker.fetch(`/__harness/release?count=${RELEASE_BATCH}`)).json()) as { released: number }).released;
      while ((await release()) > 0);
      const answers = await Promise.all(parked);
      const failed = answers.filter((a) => a.status !== 200 || !a.body.includes('"intact":true')).length;
      results.push({ siblings, sustained: true, parked: peak, bytesPerPark, memoryBytes: memory, blastRadius: failed, wallMs: Math.round(performance.now() - started) });
    } catch (error) {
      // undici's "fetch failed" says why only in its cause (a reset socket, a refused connection).
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      const why = cause ? `: ${cause.code ?? ""} ${cause.message ?? ""}`.trimEnd() : "";
      results.push({ siblings, sustained: false, parked: peak, note: `${(error as Error).message.split("\n")[0]}${why}` });
      await worker.fetch("/__harness/release").catch(() => {});
    } finally {
      await worker.dispose();
    }
  }
  return results;
}
