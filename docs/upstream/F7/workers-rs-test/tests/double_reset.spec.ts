import { describe, test, expect } from "vitest";
import { mf, mfUrl } from "./mf";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const starts = async () => Number(await (await mf.dispatchFetch(`${mfUrl}double-reset/starts`)).text());

describe("One fault, one reset", () => {
  // In the default (panic=abort) build, as `npm test` builds the worker.
  test("a panic resets the instance once, even when a sleeping request's timer fires first", async () => {
    const before = await starts();

    // A request sleeps 200 ms on a timer of this instance; its callback outlives the panic.
    const sleeper = mf.dispatchFetch(`${mfUrl}double-reset/sleep`).then((resp) => resp.text(), (e) => String(e));
    await sleep(50);

    const panicResp = await mf.dispatchFetch(`${mfUrl}test-panic`);
    expect(panicResp.status).toBe(500);
    expect(await panicResp.text()).toContain("Workers runtime canceled");

    // The timer fires before the next request; the sleeper itself is expected to fail.
    await sleep(500);
    const after = await starts();
    expect(after - before, "instances started for one fault").toBe(1);

    // Unanswered or answered, the sleeper is done with: it belonged to the dead instance.
    await Promise.race([sleeper, sleep(1000)]);
  });
});
