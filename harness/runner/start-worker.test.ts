import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { heldBufferIntact } from "../engine/client.ts";
import { BUFFER_BYTES } from "../protocol/constants.ts";
import { DeadlineError } from "./deadline.ts";
import type { SequenceLine } from "./driver.ts";
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

  it("sends a sequence from inside workerd in order, times out what hangs, and says when workerd stops answering", async () => {
    const worker = await startCanary({ variant: "unwind", requestDeadlineMs: 1_000 });
    try {
      const lines: (SequenceLine | "stalled")[] = [];
      for await (const line of worker.sequence("handler", ["/echo?text=one", "/sleep?ms=3000&seed=7", "/echo?text=two", "/spin", "/echo?text=never"])) lines.push(line);
      const shown = lines.map((l) => l === "stalled" ? l : "error" in l ? l.error : [l.status, (JSON.parse(l.body) as { text: string }).text]);
      expect(shown).toEqual([[200, "one"], "timeout", [200, "two"], "stalled"]);
      const [first, hung] = lines as [Extract<SequenceLine, { status: number }>, Extract<SequenceLine, { error: string }>];
      expect(new Headers(first.headers).get("wrh-generation")).toBe("1");
      expect(hung).toMatchObject({ message: "/sleep?ms=3000&seed=7: no response within 1000 ms" });
      expect(hung.end - hung.start).toBeGreaterThanOrEqual(1_000);
    } finally {
      await worker.dispose();
    }
  });

  it("kills its own workerd and no other", async () => {
    const before = workerdCount();
    const [one, other] = await Promise.all([startCanary({ variant: "unwind" }), startCanary({ variant: "abort" })]);
    try {
      expect(workerdCount()).toBe(before + 2);
      one.kill();
      await expect.poll(workerdCount).toBe(before + 1);
      expect(await other.responsive()).toBe(true);
    } finally {
      await Promise.all([one.dispose().catch(() => {}), other.dispose()]);
    }
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

  it.each(["unwind", "real-unwind"] as const)("parks holding as many bytes as the request names, and no more than the protocol's buffer (%s)", async (variant) => {
    const worker = await startCanary({ variant });
    try {
      const [small, whole] = [worker.fetch("/park?seed=7&bytes=100"), worker.fetch("/park?seed=8")];
      while (((await (await worker.fetch("/__harness/parked")).json()) as { parked: number }).parked < 2) await new Promise((r) => setTimeout(r, 10));
      await worker.fetch("/__harness/release");
      const held = await (await small).json() as Record<string, unknown>;
      expect(heldBufferIntact(7, 100)(held)).toBe(true);
      // The checksum is of exactly those bytes: the whole buffer's does not match it.
      expect(heldBufferIntact(7)(held)).toBe(false);
      expect(heldBufferIntact(8)(await (await whole).json() as Record<string, unknown>)).toBe(true);
      const tooMany = await worker.fetch(`/park?seed=1&bytes=${BUFFER_BYTES + 1}`);
      // The reference answers 400; the real canary's error goes out through workers-rs, as a 500.
      expect([tooMany.ok, await tooMany.text()]).toEqual([false, expect.stringContaining(`bytes must be at most ${BUFFER_BYTES}`)]);
    } finally {
      await worker.dispose();
    }
  });
  // The real canary's parks are holds at the harness's park service, not tickets in the Wasm
  // memory a reset throws away: after a reset the count still sees them and the release reaches them.
  it("counts and releases a real canary's parks after a reset replaced the instance that parked them, per isolate (real-abort, split)", async () => {
    const worker = await startCanary({ variant: "real-abort", topology: "split" });
    const parked = async (isolate: "handler" | "objects") =>
      ((await (await worker.fetchIsolate(isolate, "/__harness/parked")).json()) as { parked: number }).parked;
    const json = async (isolate: "handler" | "objects", path: string) => (await (await worker.fetchIsolate(isolate, path)).json()) as Record<string, number>;
    try {
      const inHandler = [worker.fetch("/park?seed=1"), worker.fetch("/park?seed=2")];
      const inObject = worker.fetchIsolate("objects", "/do/reset-check/park");
      while ((await parked("handler")) < 2 || (await parked("objects")) < 1) await new Promise((r) => setTimeout(r, 10));
      await (await worker.fetch("/panic")).text();
      expect(await json("handler", "/__harness/info")).toMatchObject({ generation: 2, parked: 2 });
      expect(await json("handler", "/__harness/release")).toEqual({ released: 2 });
      // Woken into the instance the reset replaced, they are refused there: workerd cancels them.
      for (const answer of await Promise.all(inHandler)) expect([answer.status, await answer.text()]).toEqual([500, expect.stringContaining("canceled this request")]);
      expect(await parked("objects")).toBe(1);
      expect(await json("objects", "/__harness/release")).toEqual({ released: 1 });
      expect(await (await inObject).json()).toMatchObject({ released: true });
      expect([await parked("handler"), await parked("objects")]).toEqual([0, 0]);
    } finally {
      await worker.dispose();
    }
  });
});
