import { describe, expect, it } from "vitest";
import { resets } from "../../scenarios/expectations.ts";
import { integrity } from "./integrity.ts";
import { failed, fault, handleRead, run, sibling } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);

describe("integrity", () => {
  it("holds when every checked response carried the right data", () => {
    expect(integrity(run(RESET, [sibling("inflight"), fault("Abort"), sibling("later"), sibling("later", failed("Abort"))])))
      .toMatchObject({ status: "holds", evidence: [], summary: "2 checked responses carried the right data" });
  });

  it("breaks on every response with wrong data, whatever its role", () => {
    const v = integrity(run(RESET, [sibling("inflight", { integrity: "wrong" }), fault("Abort", { status: 200, errorClass: undefined, integrity: "wrong" }), sibling("later"), sibling("later", { kind: "echo", integrity: "wrong" })]));
    expect(v).toMatchObject({ status: "broken", evidence: [1, 2, 4] });
    expect(v.summary).toBe("wrong data in #1, #2, #4");
  });

  it("leaves handle reads to the handles checker", () => {
    expect(integrity(run(RESET, [fault("Abort"), handleRead({ integrity: "wrong" })]))).toMatchObject({ status: "holds", summary: "1 checked responses carried the right data" });
  });

  it("lists at most 12 ids in the summary; the evidence keeps them all", () => {
    const v = integrity(run(RESET, [fault("Abort"), ...Array.from({ length: 14 }, () => sibling("later", { integrity: "wrong" as const }))]));
    expect(v.evidence).toEqual(Array.from({ length: 14 }, (_, i) => i + 2));
    expect(v.summary).toBe("wrong data in #2, #3, #4, #5, #6, #7, #8, #9, #10, #11, #12, #13 and 2 more");
  });

  it("is never unknown: with nothing checked it holds and says 0", () => {
    expect(integrity(run(RESET, [fault("Abort")]))).toMatchObject({ status: "holds", summary: "0 checked responses carried the right data" });
  });
});
