import { describe, expect, it } from "vitest";
import { resets } from "../../scenarios/expectations.ts";
import { flips, repeatedCells } from "./flips.ts";
import { judgeRun } from "./index.ts";
import { fault, info, run, runtime } from "../testing/synthetic.ts";

const RESET = resets(["Abort"]);
const repeat = (n: number, generationAfter: number, races?: string) => {
  const r = run(RESET, [info(runtime(1)), fault("Abort"), info(runtime(generationAfter))], { runId: `s/abort/reset/shared/${n}` });
  return judgeRun({ ...r, scenario: { ...r.scenario, ...(races ? { races } : {}) }, config: { ...r.config, repeat: n } });
};

describe("flips", () => {
  it("a cell whose repeats came out the same is no flip; one whose verdicts differ is, with the repeats of each outcome", () => {
    expect(flips([repeat(1, 2), repeat(2, 2), repeat(3, 2)])).toEqual([]);
    const [flip] = flips([repeat(1, 2), repeat(2, 3), repeat(3, 2)]);
    expect(flip!.cell).toBe("s/abort/reset/shared");
    expect(flip!.outcomes).toEqual([{ outcome: "unknown", repeats: [1, 3] }, { outcome: "broken: recovery", repeats: [2] }]);
    expect(repeatedCells([repeat(1, 2), repeat(2, 3)])).toBe(1);
  });

  it("a scenario that races on purpose carries its reason, to be reported apart", () => {
    expect(flips([repeat(1, 2, "two wake-ups"), repeat(2, 3, "two wake-ups")])[0]!.races).toBe("two wake-ups");
  });
});
