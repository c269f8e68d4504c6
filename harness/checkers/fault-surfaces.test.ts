import { describe, expect, it } from "vitest";
import { ABORT } from "../../scenarios/expectations.ts";
import { faultSurfaces } from "./fault-surfaces.ts";
import { fault, run, sibling } from "../testing/synthetic.ts";

const SWALLOWED = { ...ABORT.none!, fault: [...ABORT.none!.fault, "ok" as const] };

describe("fault-surfaces", () => {
  it("holds when every fault failed, whatever the class (a cancel too)", () => {
    expect(faultSurfaces(run(ABORT.reset!, [sibling("later"), fault("Canceled"), fault("Abort")])))
      .toMatchObject({ status: "holds", evidence: [] });
  });

  it("breaks on a fault that answered 200, naming it", () => {
    expect(faultSurfaces(run(ABORT.unwind!, [fault("Abort"), fault("ok")], { strategy: "unwind" }))).toMatchObject({
      status: "broken", evidence: [2], summary: "1 fault request(s) answered 200: the fault passed for a success: #2",
    });
  });

  it("asks nothing where the strategy allows the fault to go unnoticed", () => {
    expect(faultSurfaces(run(SWALLOWED, [fault("ok")], { strategy: "none" })))
      .toMatchObject({ status: "holds", summary: "the strategy allows the fault to go unnoticed" });
  });
});
