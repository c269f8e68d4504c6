import { describe, expect, it } from "vitest";
import { contained, resets } from "../../scenarios/expectations.ts";
import { abortHook } from "./abort-hook.ts";
import { fault, info, run, sibling } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);
/**
 * What the reference runtime's info says of the hook: the guest's own count of its runs, the
 * reinit requests it made and (never read here) the host's count at its one call site.
 */
const hook = (guest: number, requests = guest, host = guest) => info({ guestAbortHookRuns: guest, reinitRequests: requests, abortHookRuns: host });

describe("abort-hook", () => {
  it("holds when the guest counted one hook run and one reinit request per abort", () => {
    expect(abortHook(run(RESET, [hook(0), fault("Abort"), hook(1)])))
      .toMatchObject({ status: "holds", evidence: [], summary: "on_abort ran 1 time(s) by the guest's count and asked for 1 reinit(s)" });
    const storm = [hook(4), fault("Abort"), sibling("later"), fault("Abort")];
    expect(abortHook(run(RESET, [...storm, hook(6)])).status).toBe("holds");
  });

  it("breaks when the hook ran twice for one abort, though the host counted it once, naming both probes", () => {
    const v = abortHook(run(RESET, [hook(0), fault("Abort"), hook(2, 2, 1)]));
    expect(v).toMatchObject({ status: "broken", evidence: [1, 3] });
    expect(v.summary).toBe("on_abort ran 2 time(s) by the guest's count and asked for 2 reinit(s), expected 1 of each: #1, #3");
  });

  it("the host's own count is not evidence either way", () => {
    expect(abortHook(run(RESET, [hook(0), fault("Abort"), hook(1, 1, 5)])).status).toBe("holds");
    expect(abortHook(run(RESET, [hook(0), fault("Abort"), hook(0, 0, 1)])).status).toBe("broken");
  });

  it("each count must match: a run without its reinit request, or a request without a run, breaks", () => {
    expect(abortHook(run(RESET, [hook(0), fault("Abort"), hook(1, 0)])).status).toBe("broken");
    expect(abortHook(run(RESET, [hook(0), fault("Abort"), hook(0, 1)])).status).toBe("broken");
  });

  it("breaks when the hook ran without an abort", () => {
    expect(abortHook(run(contained(["PanicError"]), [hook(3), fault("PanicError"), hook(4)], { strategy: "unwind" })))
      .toMatchObject({ status: "broken", evidence: [1, 3], summary: "on_abort ran 1 time(s) by the guest's count and asked for 1 reinit(s), expected 0 of each: #1, #3" });
  });

  it("reads the faulted isolate's probes only", () => {
    const split = { topology: "split" as const, fault: { place: "durable-object" as const } };
    const objects = { isolate: "objects" as const };
    const r = run(RESET, [hook(0), info({ guestAbortHookRuns: 0, reinitRequests: 0 }, objects), fault("Abort", objects), hook(0), info({ guestAbortHookRuns: 1, reinitRequests: 1 }, objects)], split);
    expect(abortHook(r).status).toBe("holds");
  });

  it("unknown without probes (a profile's worker): not observed, never a pass", () => {
    expect(abortHook(run(RESET, [fault("Abort")]))).toMatchObject({ status: "unknown", evidence: [], summary: expect.stringMatching(/^not observed: the worker has no runtime probes/) });
  });

  it("unknown when the runtime reports only the host's count, or no count, or the probe failed", () => {
    const hostOnly = abortHook(run(RESET, [info({ abortHookRuns: 0 }), fault("Abort"), info({ abortHookRuns: 1 })]));
    expect(hostOnly).toMatchObject({ status: "unknown", summary: "not observed: the runtime's probes do not say how often the guest's abort hook ran and asked for a reinit" });
    expect(abortHook(run(RESET, [info({ generation: 1 }), fault("Abort"), info({ generation: 2 })])).status).toBe("unknown");
    expect(abortHook(run(RESET, [hook(0), fault("Abort"), { ...hook(1), status: 500 }])).status).toBe("unknown");
    expect(abortHook(run(RESET, [info({ guestAbortHookRuns: "0", reinitRequests: 0 }), fault("Abort"), hook(1)])).status).toBe("unknown");
  });
});
