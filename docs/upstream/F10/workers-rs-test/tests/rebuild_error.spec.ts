import { describe, test, expect } from "vitest";
import { mf, mfUrl } from "./mf";

describe("Durable Object rebuilt after a reset", () => {
  // In the default (panic=abort) build, as `npm test` builds the worker.
  test("a constructor that throws during the rebuild leaves the instance flagged for reset", async () => {
    // The object is built.
    const built = await mf.dispatchFetch(`${mfUrl}rebuild-error/object`);
    expect(built.status).toBe(200);
    expect(await built.text()).toBe("built");

    // From now on its constructor throws (the flag lives on globalThis, so a reset keeps it).
    await (await mf.dispatchFetch(`${mfUrl}rebuild-error/arm`)).text();

    // A panic resets the Wasm instance.
    const panicResp = await mf.dispatchFetch(`${mfUrl}test-panic`);
    expect(panicResp.status).toBe(500);
    expect(await panicResp.text()).toContain("Workers runtime canceled");
    const before = await (await mf.dispatchFetch(`${mfUrl}rebuild-error/instance`)).text();

    // The shim rebuilds the object on its next call, and the constructor throws there.
    const failed = await mf.dispatchFetch(`${mfUrl}rebuild-error/object`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain("RebuildError: the constructor failed");

    // Like a constructor that throws at first construction, the failed rebuild must reset the
    // instance before the next request runs in it.
    await (await mf.dispatchFetch(`${mfUrl}rebuild-error/disarm`)).text();
    const after = await (await mf.dispatchFetch(`${mfUrl}rebuild-error/instance`)).text();
    expect(after, `instance ${before} served the requests after the failed rebuild`).not.toBe(before);

    // And the object is rebuilt.
    const rebuilt = await mf.dispatchFetch(`${mfUrl}rebuild-error/object`);
    expect(rebuilt.status).toBe(200);
  });
});
