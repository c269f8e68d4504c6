// Fault surfaces: a fault request never passes for a success. An abort that answers 200 means
// Rust frames of a terminated instance ran on to the end (outer levels of a re-entrant chain
// resumed after the JS between them swallowed an inner abort), and a panic that answers 200 was
// lost. Classification judges which failure it was; this is only whether there was one, so it
// is still judged where the class is wrong for another reason (a request cancelled as hung).
import { answered } from "../history/record.ts";
import { expectationOf, faultRecords, vacuous, verdict, type Checker } from "./verdict.ts";

export const faultSurfaces: Checker = (run) => {
  const expectation = expectationOf(run);
  if (expectation.fault.includes("ok")) return vacuous("fault-surfaces", "the strategy allows the fault to go unnoticed");
  const succeeded = faultRecords(run).filter(answered);
  return verdict("fault-surfaces", succeeded, "every fault request failed (none answered 200)",
    (ids) => `${succeeded.length} fault request(s) answered 200: the fault passed for a success: ${ids}`);
};
