import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DeadlineError } from "./deadline.ts";
import { StrategyMismatchError, startCanary } from "./start-worker.ts";

/** workerd processes started by this test process (others on the machine are not ours to count). */
function workerdCount(): number {
  try {
    return Number(execFileSync("pgrep", ["-c", "-x", "-P", String(process.pid), "workerd"], { encoding: "utf8" }).trim());
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
    expect(workerdCount()).toBe(before + 1);
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
      // The next entry runs on a new instance of the handler (its served count starts over);
      // the object, in its own isolate, keeps its instance and its in-memory count.
      expect((await (await worker.fetch("/ok")).json() as { served: number }).served).toBe(1);
      expect(await (await worker.fetch("/do/split-check/read")).json()).toEqual({ memory: 1, stored: 1 });
      const handler = await (await worker.fetchIsolate("handler", "/__harness/info")).json() as { generation: number };
      const objects = await (await worker.fetchIsolate("objects", "/__harness/info")).json() as { generation: number };
      expect([handler.generation, objects.generation]).toEqual([2, 1]);
    } finally {
      await worker.dispose();
    }
  });
});
