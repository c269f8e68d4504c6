import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DeadlineError, StrategyMismatchError, startCanary } from "./start-worker.ts";

function workerdCount(): number {
  try {
    return Number(execFileSync("pgrep", ["-c", "-x", "workerd"], { encoding: "utf8" }).trim());
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

describe("the runner", () => {
  it("refuses a strategy the build cannot run", async () => {
    await expect(startCanary({ variant: "abort", strategy: "unwind" })).rejects.toThrow(StrategyMismatchError);
  });

  it("gives up on a request at its deadline, notices workerd hung, and leaves no process behind", async () => {
    const before = workerdCount();
    const worker = await startCanary({ variant: "unwind", requestDeadlineMs: 1_000 });
    expect(await worker.responsive()).toBe(true);
    await expect(worker.fetch("/spin")).rejects.toThrow(DeadlineError);
    // The infinite loop holds the only thread: nothing else in this workerd answers.
    expect(await worker.responsive(500)).toBe(false);
    await worker.dispose();
    expect(workerdCount()).toBe(before);
  });

  it("serves the Durable Object from a second isolate in the split topology", async () => {
    const worker = await startCanary({ variant: "unwind", topology: "split" });
    try {
      await worker.fetch("/do/split-check/increment");
      await worker.fetch("/abort");
      // The handler's instance was replaced; the object's, in its own isolate, was not.
      const handler = await (await worker.fetchIsolate("handler", "/__harness/info")).json() as { generation: number };
      const objects = await (await worker.fetchIsolate("objects", "/__harness/info")).json() as { generation: number };
      expect(await (await worker.fetch("/do/split-check/read")).json()).toEqual({ memory: 1, stored: 1 });
      expect([handler.generation, objects.generation]).toEqual([1, 1]);
      expect((await (await worker.fetch("/ok")).json() as { served: number }).served).toBe(1);
    } finally {
      await worker.dispose();
    }
  });
});
