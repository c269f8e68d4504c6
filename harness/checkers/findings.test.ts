import { describe, expect, it } from "vitest";
import { resets } from "../../scenarios/expectations.ts";
import { attribute, FINDINGS, type Finding, summaryParts } from "./findings.ts";
import { judgeRun } from "./index.ts";
import { fault, info, run, runtime, sibling } from "../testing/synthetic.ts";
import { exitStatus, type Verdict } from "./verdict.ts";

const RESET = resets(["Abort"]);
const REGISTRY: Finding[] = [
  { id: "F1", title: "hang", upstream: "expected", signatures: [{ checker: "classification", summary: "^fault ended as Canceled", builds: ["real-abort"] }] },
  { id: "F2", title: "cancelled siblings", upstream: "new", signatures: [{ checker: "classification", summary: "in-flight sibling\\(s\\) did not fail as StaleInstance" }] },
  { id: "F7", title: "two resets", upstream: "new", signatures: [{ checker: "recovery", summary: "^generation moved by 2 \\(expected 1\\)", kinds: ["panic"] }] },
];
const broken = (checker: string, summary: string): Verdict => ({ checker, status: "broken", summary, evidence: [] });
const realRun = (kind: "panic" | "abort" = "panic", variant = "real-abort") => {
  const r = run(RESET, [], { fault: { kind } });
  return { ...r, config: { ...r.config, variant: variant as "real-abort" } };
};

describe("findings: a break attributed to its root cause", () => {
  it("each part of a summary gets its finding; semicolons inside parentheses stay in their part", () => {
    expect(summaryParts("fault ended as Canceled, allowed: Abort; 3 in-flight sibling(s) did not fail as StaleInstance: #2, #3")).toHaveLength(2);
    expect(summaryParts("state wrong (stored once; memory reset): #4")).toEqual(["state wrong (stored once; memory reset): #4"]);
    expect(attribute(realRun(), broken("classification", "fault ended as Canceled, allowed: Abort; 3 in-flight sibling(s) did not fail as StaleInstance: #2"), REGISTRY)).toBe("F1+F2");
  });

  it("a signature matches only its checker, evidence shape and where it shows; anything else is NEW", () => {
    expect(attribute(realRun(), broken("recovery", "generation moved by 2 (expected 1) or later siblings failed: #1, #9"), REGISTRY)).toBe("F7");
    expect(attribute(realRun("abort"), broken("recovery", "generation moved by 2 (expected 1) or later siblings failed: #1, #9"), REGISTRY)).toBe("NEW");
    expect(attribute(realRun(), broken("recovery", "generation moved by 0 (expected 1) or later siblings failed: #1"), REGISTRY)).toBe("NEW");
    expect(attribute(realRun("panic", "real-unwind"), broken("classification", "fault ended as Canceled, allowed: PanicError: #3"), REGISTRY)).toBe("NEW");
    expect(attribute(realRun(), broken("classification", "fault ended as Canceled; 1 in-flight sibling(s) hung: #4"), REGISTRY)).toBe("F1+NEW");
  });

  it("the blessed registry: a resume fault that never answered is F1's, the batch it stranded F9's", () => {
    const r = run(resets(["JsError"]), [], { strategy: "unwind", fault: { kind: "js-error", place: "resume" } });
    const resume = { ...r, config: { ...r.config, variant: "real-unwind" as const } };
    expect(attribute(resume, broken("liveness", "1 fault(s) never answered: #3"))).toBe("F1");
    expect(attribute(resume, broken("liveness", "1 fault(s) never answered; 8 operation(s) hung or got no answer: #3, #4"))).toBe("F1+F9");
    // In abort mode the fault kills the instance, and the batch dies with it: F2's, not F9's (F9's fix leaves those cells as they were).
    const a = run(RESET, [], { strategy: "reset", fault: { kind: "js-error", place: "resume" } });
    const abortResume = { ...a, config: { ...a.config, variant: "real-abort" as const } };
    expect(attribute(abortResume, broken("liveness", "1 fault(s) never answered; 8 operation(s) hung or got no answer: #3, #4"))).toBe("F1+F2");
  });

  it("judgeRun names the findings on a real build only, and the run's signal follows from them", () => {
    const history = run(RESET, [info(runtime(1)), fault("Abort"), sibling("later"), info(runtime(3))], { fault: { kind: "panic" } });
    expect(judgeRun(history).verdicts.find((v) => v.checker === "recovery")).not.toHaveProperty("finding");
    expect(judgeRun(history).signal).toBeUndefined();
    const realResult = judgeRun({ ...history, config: { ...history.config, variant: "real-abort" } });
    const recovery = realResult.verdicts.find((v) => v.checker === "recovery")!;
    expect(recovery.status).toBe("broken");
    expect(recovery.finding).toMatch(/^(F\d+|NEW)/);
    expect(realResult.signal).toBe(recovery.finding === "NEW" ? "new" : "known");
  });

  it("the registry's signatures are valid regular expressions with a checker, and ids are unique", () => {
    expect(new Set(FINDINGS.map((f) => f.id)).size).toBe(FINDINGS.length);
    for (const f of FINDINGS) {
      expect(f.signatures.length, f.id).toBeGreaterThan(0);
      for (const s of f.signatures) {
        expect(s.checker, f.id).toBeTruthy();
        expect(() => new RegExp(s.summary), `${f.id}: ${s.summary}`).not.toThrow();
      }
    }
  });

  it("a real build's known limitations pass unless strict; a regression or a NEW break fails; a reference break always fails", () => {
    const counts = { holds: 0, broken: 1, unknown: 0, error: 0 };
    const matrix = (signal?: "known" | "new" | "regression") => ({ counts, results: [{ status: "broken" as const, ...(signal ? { signal } : {}) }] });
    expect(exitStatus(matrix("known"))).toBe(0);
    expect(exitStatus(matrix("known"), false, true)).toBe(1);
    expect(exitStatus(matrix("new"))).toBe(1);
    expect(exitStatus(matrix("regression"))).toBe(1);
    expect(exitStatus(matrix())).toBe(1);
  });
});
