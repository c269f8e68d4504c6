import { describe, expect, it } from "vitest";
import { contained, resets } from "../../scenarios/expectations.ts";
import { abortHook } from "./abort-hook.ts";
import { fault, info, run, runtime, sibling } from "./synthetic.ts";

const RESET = resets(["Abort"]);

describe("abort-hook", () => {
  it("holds when on_abort ran once per reset", () => {
    expect(abortHook(run(RESET, [info(runtime(1, 0)), fault("Abort"), info(runtime(2, 1))]))).toMatchObject({ status: "holds", evidence: [], summary: "on_abort ran 1 time(s)" });
    const storm = [info(runtime(1, 0)), fault("Abort"), sibling("later"), fault("Abort")];
    expect(abortHook(run(RESET, [...storm, info(runtime(3, 2))])).status).toBe("holds");
  });

  it("breaks when on_abort did not run, ran twice, or ran without an abort, naming both probes", () => {
    const v = abortHook(run(RESET, [info(runtime(1, 0)), fault("Abort"), info(runtime(2, 0))]));
    expect(v).toMatchObject({ status: "broken", evidence: [1, 3] });
    expect(v.summary).toBe("on_abort ran 0 time(s), expected 1: #1, #3");
    expect(abortHook(run(RESET, [info(runtime(1, 0)), fault("Abort"), info(runtime(2, 2))])).summary).toBe("on_abort ran 2 time(s), expected 1: #1, #3");
    expect(abortHook(run(contained(["PanicError"]), [info(runtime(1, 0)), fault("PanicError"), info(runtime(1, 1))], { strategy: "unwind" })))
      .toMatchObject({ status: "broken", evidence: [1, 3], summary: "on_abort ran 1 time(s), expected 0: #1, #3" });
  });

  it("reads the faulted isolate's probes only", () => {
    const split = { topology: "split" as const, fault: { place: "durable-object" as const } };
    const r = run(RESET, [info(runtime(1, 0)), info(runtime(1, 0), { isolate: "objects" }), fault("Abort", { isolate: "objects" }), info(runtime(1, 0)), info(runtime(2, 1), { isolate: "objects" })], split);
    expect(abortHook(r).status).toBe("holds");
  });

  it("unknown without probes (a profile's worker): not observed, never a pass", () => {
    expect(abortHook(run(RESET, [fault("Abort")]))).toMatchObject({ status: "unknown", evidence: [], summary: expect.stringMatching(/^not observed: the worker has no runtime probes/) });
  });

  it("unknown when the probes do not report the count, or did not answer", () => {
    const missing = abortHook(run(RESET, [info({ generation: 1 }), fault("Abort"), info({ generation: 2 })]));
    expect(missing).toMatchObject({ status: "unknown", summary: "not observed: the runtime's probes do not say how often its abort hook ran" });
    expect(abortHook(run(RESET, [info(runtime(1, 0)), fault("Abort"), info(runtime(2, 1), { status: 500 })])).status).toBe("unknown");
    expect(abortHook(run(RESET, [info({ abortHookRuns: "1" }), fault("Abort"), info(runtime(2, 1))])).status).toBe("unknown");
  });
});
