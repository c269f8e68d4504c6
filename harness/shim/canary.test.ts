import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCanary, startCanary, withCanary } from "../runner/start-worker.ts";

interface Failure { error: string; message: string; generation: number }

describe.each(["abort", "unwind", "unwind-exnref"] as const)("canary %s in workerd", (variant) => {
  let worker: RunningCanary;
  beforeAll(async () => { worker = await startCanary({ variant }); });
  afterAll(() => worker?.dispose());

  it("reports which build it is, the strategy it runs and the generation serving it", async () => {
    const response = await worker.fetch("/__harness/info");
    const body = await response.json() as { generation: number };
    expect(body).toMatchObject({
      variant, panicStrategy: worker.manifest.panicStrategy, ehEncoding: worker.manifest.ehEncoding, strategy: worker.strategy, mutants: [],
    });
    expect(response.headers.get("wrh-generation")).toBe(String(body.generation));
  });

  it("answers /ok with 200 from generation 1", async () => {
    const response = await worker.fetch("/ok");
    expect(response.status).toBe(200);
    expect(response.headers.get("wrh-generation")).toBe("1");
    expect(await response.json()).toMatchObject({ served: expect.any(Number) });
  });

  it("turns /abort into a 500 Abort naming the trap", async () => {
    const response = await worker.fetch("/abort");
    expect(response.status).toBe(500);
    expect(response.headers.get("wrh-error")).toBe("Abort");
    expect(((await response.json()) as Failure).message).toMatch(/RuntimeError: unreachable/);
  });
});

describe.each(["unwind", "unwind-exnref"] as const)("canary %s: a panic unwinds and the instance lives on", (variant) => {
  let worker: RunningCanary;
  beforeAll(async () => { worker = await startCanary({ variant }); });
  afterAll(() => worker?.dispose());

  it("/panic is a 500 PanicError and the next /ok is served by the same instance", async () => {
    const before = (await (await worker.fetch("/ok")).json()) as { served: number };

    const panic = await worker.fetch("/panic");
    expect(panic.status).toBe(500);
    expect(panic.headers.get("wrh-error")).toBe("PanicError");
    const failure = (await panic.json()) as Failure;
    expect(failure).toMatchObject({ error: "PanicError", generation: 1 });
    expect(failure.message).toBe(`canary panic on request ${before.served + 1}`);

    const after = await worker.fetch("/ok");
    expect(after.status).toBe(200);
    expect(after.headers.get("wrh-generation")).toBe("1");
    // The count lives in linear memory: a new instance would start again from 1.
    expect(await after.json()).toEqual({ served: before.served + 2 });
  });
});

describe("canary abort: a panic traps", () => {
  let worker: RunningCanary;
  beforeAll(async () => { worker = await startCanary({ variant: "abort" }); });
  afterAll(() => worker?.dispose());

  it("/panic is a 500 Abort carrying the panic message and the trap", async () => {
    const response = await worker.fetch("/panic");
    expect(response.status).toBe(500);
    expect(response.headers.get("wrh-error")).toBe("Abort");
    const failure = (await response.json()) as Failure;
    expect(failure.message).toMatch(/^panicked: canary panic on request \d+; RuntimeError: unreachable/);
  });
});

describe("the benchmark route", () => {
  let worker: RunningCanary;
  beforeAll(async () => { worker = await startCanary({ variant: "unwind" }); });
  afterAll(() => worker?.dispose());

  it("repeats an operation inside one request, without touching the generation", async () => {
    for (const op of ["instantiate", "raw-call", "guarded-call", "raw-async", "guarded-async"]) {
      const response = await worker.fetch(`/__harness/bench?op=${op}&n=20`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ op, n: 20 });
    }
    const info = (await (await worker.fetch("/__harness/info")).json()) as { generation: number; inFlight: number };
    expect(info).toMatchObject({ generation: 1, inFlight: 0 });
    expect((await (await worker.fetch("/stats")).json() as { served: number }).served).toBe(40);
  });

  it("rejects an unknown operation", async () => {
    const response = await worker.fetch("/__harness/bench?op=nope&n=1");
    expect(response.status).toBe(400);
    expect(response.headers.get("wrh-error")).toBe("BadRequest");
  });
});

describe.each(["abort", "unwind", "unwind-exnref"] as const)("canary %s: the workers-rs test-worker layout", (variant) => {
  let worker: RunningCanary;
  beforeAll(async () => { worker = await startCanary({ variant, vars: { SOME_SECRET: "from .dev.vars" } }); });
  afterAll(() => worker?.dispose());

  const durable = async (id: string) => {
    const response = await worker.fetch(`/durable/${id}`);
    expect(response.status).toBe(200);
    const body = await response.text();
    const counts = /^\[durable_object\]: self\.count: (\d+), self\.unstored_count: (\d+), secret value: from \.dev\.vars$/.exec(body);
    expect(counts, body).not.toBeNull();
    return { count: Number(counts![1]), unstored: Number(counts![2]) };
  };

  it("/test-panic fails in text, class first, as respond_with_errors does", async () => {
    const response = await worker.fetch("/test-panic");
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const expected = worker.strategy === "unwind" ? "PanicError" : "Abort";
    expect(response.headers.get("wrh-error")).toBe(expected);
    expect(await response.text()).toMatch(new RegExp(`^${expected}: .*canary panic on request \\d+`));
  });

  it("/durable/<id> ignores the id: one object, count +10 and unstored_count +1 a request", async () => {
    const first = await durable("x");
    expect(await durable("y")).toEqual({ count: first.count + 10, unstored: first.unstored + 1 });
  });

  it("a reset restarts unstored_count at 1 and keeps count; a panic resets only under reset", async () => {
    const before = await durable("a");
    expect((await worker.fetch("/test-panic")).status).toBe(500);
    const afterPanic = await durable("b");
    const unwinds = worker.strategy === "unwind";
    expect(afterPanic).toEqual({ count: before.count + 10, unstored: unwinds ? before.unstored + 1 : 1 });

    expect((await worker.fetch("/test-abort")).headers.get("wrh-error")).toBe("Abort");
    expect(await durable("c")).toEqual({ count: afterPanic.count + 10, unstored: 1 });
  });

  it("/durable/<id> with \"shared\" in it reaches SHARED_COUNTER, and panics when that is not bound, as the real router's `expect` does", async () => {
    const response = await worker.fetch("/durable/shared-x");
    expect(response.status).toBe(500);
    expect(response.headers.get("wrh-error")).toBe(worker.strategy === "unwind" ? "PanicError" : "Abort");
  });

  it("/durable/hello answers from the object", async () => {
    const response = await worker.fetch("/durable/hello");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("Hello from my-durable-object!");
  });
});

describe("the strategy and mutants a worker is started with", () => {
  it("are the ones its info route reports", async () => {
    await withCanary({ variant: "abort", strategy: "none", mutants: ["double-reset", "no-stale-check"] }, async (worker) => {
      expect(await (await worker.fetch("/__harness/info")).json()).toMatchObject({ strategy: "none", mutants: ["double-reset", "no-stale-check"] });
    });
  });
});

describe("a new instance between runs under none", () => {
  let worker: RunningCanary;
  beforeAll(async () => { worker = await startCanary({ variant: "abort", strategy: "none" }); });
  afterAll(() => worker?.dispose());

  it("replaces a poisoned instance on request, without counting a reset", async () => {
    expect((await worker.fetch("/abort")).status).toBe(500);
    // No recovery: the abort left the guest's shared state borrowed.
    expect((await worker.fetch("/sleep?ms=1&seed=1")).status).toBe(500);
    const info = await (await worker.fetch("/__harness/fresh")).json() as { generation: number; resets: number };
    expect(info).toMatchObject({ generation: 2, resets: 0 });
    expect((await worker.fetch("/sleep?ms=1&seed=1")).status).toBe(200);
  });
});
