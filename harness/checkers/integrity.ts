// Integrity: no operation returned wrong data (buffers held across awaits, echoed arguments).
import { verdict, type Checker } from "./verdict.ts";

export const integrity: Checker = (run) => {
  const wrong = run.records.filter((r) => r.integrity === "wrong");
  const checked = run.records.filter((r) => r.integrity !== undefined).length;
  return verdict("integrity", wrong, `${checked} checked responses carried the right data`,
    (ids) => `wrong data in ${ids}`);
};
