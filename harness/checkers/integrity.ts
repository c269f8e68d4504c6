// Integrity: no operation returned wrong data (buffers held across awaits, echoed arguments).
import { verdict, type Checker } from "./verdict.ts";

export const integrity: Checker = (run) => {
  // Handle reads are judged by the handles checker (after a reset a refusal is the right answer).
  const wrong = run.records.filter((r) => r.integrity === "wrong" && r.kind !== "handle-read");
  const checked = run.records.filter((r) => r.integrity !== undefined).length;
  return verdict("integrity", wrong, `${checked} checked responses carried the right data`,
    (ids) => `wrong data in ${ids}`);
};
