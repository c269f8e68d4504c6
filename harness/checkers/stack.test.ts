import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { stack } from "./stack.ts";
import { fault, info, run, runtime } from "../testing/synthetic.ts";

const CONTAINED = contained(["PanicError"]);
const UNWIND = { strategy: "unwind" as const };

describe("stack", () => {
  it("holds when the instance that lived on is back at its resting stack pointer", () => {
    expect(stack(run(CONTAINED, [info(runtime(1, 0, 4096)), fault("PanicError"), info(runtime(1, 0, 4096))], UNWIND)))
      .toMatchObject({ status: "holds", evidence: [], summary: "shadow stack back at its resting pointer" });
  });

  it("breaks on a drift either way, naming both probes and the bytes", () => {
    const v = stack(run(CONTAINED, [info(runtime(1, 0, 4096)), fault("PanicError"), info(runtime(1, 0, 4000))], UNWIND));
    expect(v).toMatchObject({ status: "broken", evidence: [1, 3] });
    expect(v.summary).toBe("shadow stack pointer drifted by 96 bytes: #1, #3");
    expect(stack(run(CONTAINED, [info(runtime(1, 0, 4096)), fault("PanicError"), info(runtime(1, 0, 4112))], UNWIND)).summary).toMatch(/drifted by -16 bytes/);
  });

  it("holds vacuously where the instance is replaced (reset) or unrecovered (none): nothing to compare", () => {
    const drifted = [info(runtime(1, 0, 4096)), fault("Abort"), info(runtime(2, 1, 1))];
    expect(stack(run(resets(["Abort"]), drifted))).toMatchObject({ status: "holds", summary: "instance replaced or unrecovered; resting stack not compared" });
    expect(stack(run(unrecovered(["Abort"]), drifted, { strategy: "none" })).status).toBe("holds");
  });

  it("unknown without probes, or with probes that report no stack pointer", () => {
    expect(stack(run(CONTAINED, [fault("PanicError")], UNWIND))).toMatchObject({ status: "unknown", summary: expect.stringMatching(/^not observed: the worker has no runtime probes/) });
    expect(stack(run(CONTAINED, [info({ generation: 1 }), fault("PanicError"), info({ generation: 1 })], UNWIND)))
      .toMatchObject({ status: "unknown", summary: "not observed: the runtime's probes do not report a shadow-stack pointer" });
    expect(stack(run(CONTAINED, [info(runtime(1, 0, 4096)), fault("PanicError"), info({}, { status: "timeout" })], UNWIND)).status).toBe("unknown");
  });
});
