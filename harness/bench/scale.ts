// Scale: N siblings parked inside Rust around one fault. Reports, per N, whether the harness
// and workerd sustained it, the blast radius, the wall time from first park to last answer,
// and the guest's linear memory per parked sibling. The same for the reference canary and the
// real workers-rs canary: both serve /park, /__harness/parked, /__harness/release and
// /__harness/info (memoryBytes).
import type { Strategy } from "../protocol/recovery.ts";
import { parkedNow } from "../engine/execute.ts";
import { BUFFER_BYTES } from "../protocol/constants.ts";
import { CANARY_CLIENT, heldBufferIntact } from "../engine/client.ts";
import { type RunningWorker, type StartOptions, startCanary } from "../runner/start-worker.ts";

/**
 * Parks released per `/__harness/release` call: releasing 19,500 at once answered the first
 * only after 25 s; in batches of 1,000 answers start within ~1 s and all are in after ~10 s.
 */
const RELEASE_BATCH = 1_000;

/**
 * Siblings sent at once before waiting for them to park. A burst of 10,000 connections
 * overflows the loopback's accept queue (somaxconn 4,096 here) and the kernel resets the rest:
 * parking in waves keeps every connection, and all of them are still in flight together.
 */
const WAVE = 500;

/** How the siblings park. */
export interface ScaleOptions {
  /** Bytes of the checked buffer each sibling holds (at most, and by default, the protocol's bufferBytes). */
  heldBytes?: number;
  /**
   * Park `together` (the release wakes them through their wakers) rather than each on its own
   * timer. The real canary's timer polls every 5 ms: at 10,000 parks the polls alone keep
   * workerd busy, and parking takes minutes.
   */
  together?: boolean;
}

export interface ScaleResult {
  siblings: number;
  together: boolean;
  /** Bytes of the checked buffer each sibling holds across its park. */
  heldBytes: number;
  sustained: boolean;
  /** The most siblings seen parked at once (all of them when sustained). */
  parked: number;
  /** Growth of the guest's linear memory from before the first park to all parked, ÷ siblings (whole 64 KiB pages). */
  bytesPerPark?: number;
  /** Growth of the guest's live heap over the same span, ÷ siblings: the bytes a park holds, exactly. */
  heapBytesPerPark?: number;
  /** The guest's linear memory with every sibling parked. */
  memoryBytes?: number;
  blastRadius?: number;
  wallMs?: number;
  note?: string;
}

interface Memory {
  memoryBytes?: number;
  heapBytes?: number;
}

async function memory(worker: RunningWorker): Promise<Memory> {
  const response = await worker.fetch("/__harness/info");
  return response.ok ? ((await response.json()) as Memory) : {};
}

const perPark = (before: number | undefined, after: number | undefined, siblings: number) =>
  before !== undefined && after !== undefined ? Math.round((after - before) / siblings) : undefined;

interface Answer {
  status: number;
  body: string;
}

/** `siblings` parks of `heldBytes` each, sent in waves; resolves once all are parked, with their answers to come. */
async function parkAll(worker: RunningWorker, siblings: number, heldBytes: number, together: boolean): Promise<{ peak: number; answers: Promise<Answer>[] }> {
  let early: Answer | undefined;
  const answers: Promise<Answer>[] = [];
  let peak = 0;
  // workerd takes ~1 ms per park: the wait grows with the count.
  const waitMs = Math.max(30_000, siblings * 3);
  const deadline = Date.now() + waitMs;
  while (answers.length < siblings) {
    const wave = Math.min(WAVE, siblings - answers.length);
    for (let i = 0; i < wave; i++) {
      const seed = answers.length + 1;
      // Every sibling settles into an answer (a failure is an answer too), so none goes unobserved.
      answers.push(worker.fetch(`/park?seed=${seed}&bytes=${heldBytes}${together ? "&together=1" : ""}`)
        .then(async (r) => ({ status: r.status, body: await r.text() }))
        .catch((error: Error) => ({ status: 0, body: error.message }))
        .then((answer) => {
          early ??= answer;
          return answer;
        }));
    }
    let count = 0;
    while ((peak = Math.max(peak, (count = (await parkedNow(worker, CANARY_CLIENT.park!, "handler")) ?? count))) < answers.length) {
      // A sibling that answers before the barrier could not park (e.g. the guest ran out of
      // linear memory and aborted, taking every parked sibling with it): waiting is pointless.
      if (early) throw new Error(`only ${count} of ${siblings} parked: a sibling answered first (${early.status} ${early.body.slice(0, 160)})`);
      if (Date.now() > deadline) throw new Error(`only ${count} of ${siblings} parked after ${waitMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return { peak, answers };
}

/** N siblings of `heldBytes` parked around one panic, for each N of `sizes`, on a fresh workerd each. */
export async function scale(variant: StartOptions["variant"], strategy: Strategy, sizes: readonly number[], options: ScaleOptions = {}): Promise<ScaleResult[]> {
  const { heldBytes = BUFFER_BYTES, together = false } = options;
  const results: ScaleResult[] = [];
  for (const siblings of sizes) {
    // workerd takes ~1 ms per park, and as long again to release: deadlines grow with the count.
    const limitMs = Math.max(60_000, siblings * 6);
    const worker = await startCanary({ variant, strategy, requestDeadlineMs: limitMs, parkTimeoutMs: limitMs });
    let peak = 0;
    try {
      const before = await memory(worker);
      const started = performance.now();
      const parking = await parkAll(worker, siblings, heldBytes, together);
      peak = parking.peak;
      const all = await memory(worker);
      await (await worker.fetch("/panic")).text();
      const release = async () => ((await (await worker.fetch(`/__harness/release?count=${RELEASE_BATCH}`)).json()) as { released: number }).released;
      while ((await release()) > 0);
      const answers = await Promise.all(parking.answers);
      const failed = answers.filter((a, i) => !(a.status === 200 && heldBufferIntact(i + 1, heldBytes)(JSON.parse(a.body) as Record<string, unknown>))).length;
      results.push({
        siblings, together, heldBytes, sustained: true, parked: peak, memoryBytes: all.memoryBytes, blastRadius: failed, wallMs: Math.round(performance.now() - started),
        bytesPerPark: perPark(before.memoryBytes, all.memoryBytes, siblings), heapBytesPerPark: perPark(before.heapBytes, all.heapBytes, siblings),
      });
    } catch (error) {
      // undici's "fetch failed" says why only in its cause (a reset socket, a refused connection).
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      const why = cause ? `: ${cause.code ?? ""} ${cause.message ?? ""}`.trimEnd() : "";
      results.push({ siblings, together, heldBytes, sustained: false, parked: peak, note: `${(error as Error).message.split("\n")[0]}${why}` });
      await worker.fetch("/__harness/release").catch(() => {});
    } finally {
      await worker.dispose();
    }
  }
  return results;
}
