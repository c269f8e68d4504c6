import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { handles } from "./handles.ts";
import { failed, fault, handleRead, run } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);
const CONTAINED = contained(["PanicError"]);
const UNWIND = { strategy: "unwind" as const };
const stale = () => handleRead(failed("StaleObject"));

describe("handles", () => {
  it("after a reset of the handler's instance, holds when every handle is refused as StaleObject", () => {
    expect(handles(run(RESET, [fault("Abort"), stale(), stale()]))).toMatchObject({ status: "holds", evidence: [], summary: "2 handle(s) refused as StaleObject after the reset" });
  });

  it("after a reset, breaks on a handle that read back (a pointer into new memory) or failed otherwise", () => {
    const v = handles(run(RESET, [fault("Abort"), stale(), handleRead(), handleRead({ integrity: "wrong" }), handleRead(failed("Abort"))]));
    expect(v).toMatchObject({ status: "broken", evidence: [3, 4, 5] });
    expect(v.summary).toBe("handles from before the fault were not refused as StaleObject: #3, #4, #5");
  });

  it("when the instance lived on, holds when every handle read back intact", () => {
    expect(handles(run(CONTAINED, [fault("PanicError"), handleRead()], UNWIND))).toMatchObject({ status: "holds", summary: "1 handle(s) read back intact" });
  });

  it("when the instance lived on, breaks on wrong data, a refusal or a failure", () => {
    const v = handles(run(CONTAINED, [fault("PanicError"), handleRead(), handleRead({ integrity: "wrong" }), stale(), handleRead({ status: "timeout" })], UNWIND));
    expect(v).toMatchObject({ status: "broken", evidence: [3, 4, 5] });
    expect(v.summary).toBe("handles from before the fault did not read back intact: #3, #4, #5");
  });

  it("a reset of the objects isolate leaves the handler's handles alive; no recovery leaves them alive too", () => {
    const split = { topology: "split" as const, fault: { place: "durable-object" as const } };
    expect(handles(run(RESET, [fault("Abort", { isolate: "objects" }), handleRead()], split)).status).toBe("holds");
    expect(handles(run(RESET, [fault("Abort", { isolate: "objects" }), stale()], split)).status).toBe("broken");
    expect(handles(run(unrecovered(["Abort"]), [fault("Abort"), handleRead()], { strategy: "none" })).status).toBe("holds");
  });

  it("is never unknown: a scenario without handles holds and says so", () => {
    expect(handles(run(RESET, [fault("Abort")]))).toMatchObject({ status: "holds", summary: "no handles in this scenario" });
  });
});
