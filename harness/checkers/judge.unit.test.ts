// Judging a run never stops at a checker that throws: its verdict is unknown and carries the
// error, and every other checker still gives its own.
import { describe, expect, it } from "vitest";
import { resets } from "../../scenarios/expectations.ts";
import { CHECKER_IDS, CHECKERS, judge, judgeRun } from "./index.ts";
import { fault, info, run, runtime } from "../testing/synthetic.ts";
import type { Checker } from "./verdict.ts";

const history = run(resets(["Abort"]), [info(runtime(1)), fault("Abort"), info(runtime(2))]);

describe("judging a run", () => {
  it("names every checker's verdict by the ids CHECKER_IDS lists, in order", () => {
    expect(judge(history).map((v) => v.checker)).toEqual([...CHECKER_IDS]);
  });

  it("gives a checker that throws an unknown verdict carrying the error, and still the others' verdicts", () => {
    const throwing: Checker = () => {
      throw new Error("records out of order\nsecond line");
    };
    const checkers = CHECKERS.map((check, i) => (i === 3 ? throwing : check));
    const verdicts = judge(history, checkers);
    expect(verdicts).toHaveLength(CHECKERS.length);
    expect(verdicts[3]).toEqual({ checker: "liveness", status: "unknown", summary: "not judged: the checker failed on this history (records out of order)", evidence: [] });
    expect(verdicts.filter((v, i) => i !== 3)).toEqual(judge(history).filter((v, i) => i !== 3));
    expect(judgeRun(history).status).not.toBe("error");
  });
});
