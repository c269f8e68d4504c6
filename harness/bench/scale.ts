// Scale: N siblings parked inside Rust around one fault. Reports, per N, whether the harness
// and workerd sustained it, the blast radius and the wall time from first park to last answer.
import type { VariantName } from "../build/variants.ts";
import type { Strategy } from "../protocol/recovery.ts";
import { parkedNow } from "../engine/execute.ts";
import { startCanary } from "../runner/start-worker.ts";

export interface ScaleResult {
  siblings: number;
  sustained: boolean;
  blastRadius?: number;
  wallMs?: number;
  note?: string;
}

export async function scale(variant: VariantName, strategy: Strategy, sizes: readonly number[]): Promise<ScaleResult[]> {
  const results: ScaleResult[] = [];
  for (const siblings of sizes) {
    const worker = await startCanary({ variant, strategy, requestDeadlineMs: 60_000, parkTimeoutMs: 60_000 });
    try {
      const started = performance.now();
      // Every sibling settles into an answer (a failure is an answer too), so none goes unobserved.
      const parked = Array.from({ length: siblings }, (_, i) => worker.fetch(`/park?seed=${i + 1}`)
        .then(async (r) => ({ status: r.status, body: await r.text() }))
        .catch((error: Error) => ({ status: 0, body: error.message })));
      const deadline = Date.now() + 30_000;
      let count = 0;
      while ((count = await parkedNow(worker, "handler")) < siblings) {
        if (Date.now() > deadline) throw new Error(`only ${count} of ${siblings} parked after 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await (await worker.fetch("/panic")).text();
      await worker.fetch("/__harness/release");
      const answers = await Promise.all(parked);
      const failed = answers.filter((a) => a.status !== 200 || !a.body.includes('"intact":true')).length;
      results.push({ siblings, sustained: true, blastRadius: failed, wallMs: Math.round(performance.now() - started) });
    } catch (error) {
      results.push({ siblings, sustained: false, note: (error as Error).message.split("\n")[0] });
      await worker.fetch("/__harness/release").catch(() => {});
    } finally {
      await worker.dispose();
    }
  }
  return results;
}
