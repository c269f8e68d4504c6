import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, startCanary } from "../runner/start-worker.ts";

interface Failure { error: string; message: string; generation: number }

describe.each(["abort", "unwind", "unwind-exnref"] as const)("canary %s in workerd", (variant) => {
  let worker: RunningWorker;
  beforeAll(async () => { worker = await startCanary({ variant }); });
  afterAll(() => worker?.dispose());

  it("reports which build it is", async () => {
    const response = await worker.fetch("/__harness/info");
    expect(await response.json()).toMatchObject({ variant, panicStrategy: worker.manifest.panicStrategy, ehEncoding: worker.manifest.ehEncoding });
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
  let worker: RunningWorker;
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
  let worker: RunningWorker;
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
  let worker: RunningWorker;
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
