import { describe, expect, it } from "vitest";
import { contained } from "../../scenarios/expectations.ts";
import { fault, run, sibling } from "../testing/synthetic.ts";
import { slowestAnswer } from "./execute.ts";

const records = (...specs: Parameters<typeof run>[1]) => run(contained(["PanicError"]), specs).records;

describe("slowestAnswer", () => {
  it("counts an in-flight sibling from the fault's answer, when its deadline started", () => {
    const slowest = slowestAnswer(records(
      sibling("inflight", { start: 0, end: 2_500 }),
      fault("PanicError", { start: 100, end: 600 }),
      sibling("later", { start: 2_600, end: 2_900 }),
    ), 10_000);
    expect(slowest).toMatchObject({ ms: 1_900, record: { id: 1 } });
  });

  it("gives in-flight siblings time to receive each one's answer, and picks the answer nearest its own deadline", () => {
    const siblings = Array.from({ length: 1_000 }, () => sibling("inflight", { start: 0, end: 2_600 }));
    const slowest = slowestAnswer(records(...siblings, fault("PanicError", { start: 100, end: 600 }), sibling("later", { start: 2_600, end: 3_700 })), 2_000);
    expect(slowest).toMatchObject({ ms: 1_100, deadlineMs: 2_000, record: { id: 1_002 } });
    expect(slowestAnswer(records(...siblings, fault("PanicError", { start: 100, end: 600 })), 2_000)).toMatchObject({ ms: 2_000, deadlineMs: 5_000 });
  });

  it("counts everyone else from their send, and leaves out what never answered", () => {
    const slowest = slowestAnswer(records(
      sibling("inflight", { start: 0, end: 10_000, status: "timeout" }),
      fault("PanicError", { start: 100, end: 4_100 }),
    ), 10_000);
    expect(slowest).toMatchObject({ ms: 4_000, record: { id: 2 } });
  });

  it("is nothing when nothing answered", () => {
    expect(slowestAnswer(records(fault("timeout")), 10_000)).toBeUndefined();
  });
});
