import { describe, expect, it } from "vitest";
import { contained, resets, unrecovered } from "../../scenarios/expectations.ts";
import { NON_ASCII, faultMessage } from "../protocol/integrity.ts";
import { faithfulErrors } from "./faithful-errors.ts";
import { failed, fault, run, sibling } from "../testing/synthetic.ts";

const TEXT = `wrh: intentional panic ${NON_ASCII}`;
const PANIC = { strategy: "unwind" as const, fault: { kind: "panic" as const } };
const CONTAINED = contained(["PanicError"]);
/** A fault request that names its message, answered with `message` under `errorClass`. */
const said = (errorClass: string, message: string, n = 7, more = {}) =>
  fault(errorClass, { kind: "panic@handler", path: `/panic?text=${encodeURIComponent(TEXT)}&n=${n}`, message, ...more });

describe("faithful-errors", () => {
  it("holds when every PanicError carries exactly the message the request named", () => {
    const v = faithfulErrors(run(CONTAINED, [sibling("inflight"), said("PanicError", faultMessage(TEXT, 7))], PANIC));
    expect(v).toMatchObject({ status: "holds", evidence: [], summary: "1 fault(s) arrived with the message they were raised with" });
  });

  it("judges a JsError's message the same way (the original JS error's)", () => {
    const js = { strategy: "unwind" as const, fault: { kind: "js-error" as const } };
    expect(faithfulErrors(run(contained(["JsError"]), [said("JsError", faultMessage(TEXT, 7))], js)).status).toBe("holds");
    expect(faithfulErrors(run(contained(["JsError"]), [said("JsError", `Error: ${faultMessage(TEXT, 7)}`)], js)))
      .toMatchObject({ status: "broken", evidence: [1] });
  });

  it("breaks on a message decoded as Latin-1, naming the fault and both texts", () => {
    const latin1 = String.fromCharCode(...new TextEncoder().encode(faultMessage(TEXT, 7)));
    const v = faithfulErrors(run(CONTAINED, [sibling("inflight"), said("PanicError", latin1)], PANIC));
    expect(v).toMatchObject({ status: "broken", evidence: [2] });
    expect(v.summary).toBe(`PanicError message changed on the way: ${JSON.stringify(latin1)} instead of ${JSON.stringify(faultMessage(TEXT, 7))}: #2`);
  });

  it("edges: one code unit short, a different formatted value, a missing message all break; a storm names each wrong fault", () => {
    const expected = faultMessage(TEXT, 7);
    expect(faithfulErrors(run(CONTAINED, [said("PanicError", expected.slice(0, -1))], PANIC)).status).toBe("broken");
    expect(faithfulErrors(run(CONTAINED, [said("PanicError", faultMessage(TEXT, 8))], PANIC)).status).toBe("broken");
    // A 4-byte character cut in half (UTF-16 length used as a byte count, or the reverse).
    expect(faithfulErrors(run(CONTAINED, [said("PanicError", expected.replace("🦀", "\ud83e"))], PANIC)).status).toBe("broken");
    expect(faithfulErrors(run(CONTAINED, [said("PanicError", expected, 7, { message: undefined })], PANIC)).status).toBe("broken");
    const storm = [said("PanicError", expected), sibling("later"), said("PanicError", "x"), sibling("later"), said("PanicError", "y")];
    expect(faithfulErrors(run(CONTAINED, storm, PANIC))).toMatchObject({ status: "broken", evidence: [3, 5] });
  });

  it("an abort's text is not judged: under reset a panic is an Abort and nothing is promised of its message", () => {
    const v = faithfulErrors(run(resets(["Abort"]), [said("Abort", "panicked: something else")], { fault: { kind: "panic" } }));
    expect(v).toMatchObject({ status: "holds", summary: "no fault here surfaces with a message the contract fixes" });
    // A fault that answered (ok) carries no error at all.
    expect(faithfulErrors(run(unrecovered(["ok", "Abort"]), [fault("ok")], { strategy: "none" })).status).toBe("holds");
  });

  it("unknown when the contract fixes a message but the fault never surfaced with one", () => {
    expect(faithfulErrors(run(CONTAINED, [fault("Canceled")], PANIC)))
      .toMatchObject({ status: "unknown", summary: "not observed: the fault never surfaced as a PanicError or JsError, so its message was not seen" });
    expect(faithfulErrors(run(CONTAINED, [fault("timeout")], PANIC)).status).toBe("unknown");
  });

  it("unknown when the fault request named no message (a profile's worker, an older history)", () => {
    const v = faithfulErrors(run(CONTAINED, [fault("PanicError", { path: "/panic", message: "canary panic on request 3" })], PANIC));
    expect(v).toMatchObject({ status: "unknown", summary: "not observed: the fault request did not name the message to fail with" });
    // Faults that named one are judged even when another did not.
    const mixed = [fault("PanicError", { path: "/panic", message: "anything" }), said("PanicError", "wrong")];
    expect(faithfulErrors(run(CONTAINED, mixed, PANIC))).toMatchObject({ status: "broken", evidence: [2] });
  });

  it("a failed sibling's text is not the fault's: only fault records are judged", () => {
    const specs = [sibling("inflight", failed("PanicError", { message: "other" })), said("PanicError", faultMessage(TEXT, 7))];
    expect(faithfulErrors(run(CONTAINED, specs, PANIC)).status).toBe("holds");
  });
});
