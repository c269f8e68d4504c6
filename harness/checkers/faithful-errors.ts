// Faithful errors: a fault that surfaces as a PanicError or a JsError carries, unchanged, the
// message it was raised with (the panic's payload, the original JS error's message). The
// fault request names that message (`?text=&n=`, formatted inside Rust at run time, see
// harness/protocol/integrity.ts), and it is multi-byte UTF-8, so a decoding, length or
// formatting slip on the way out shows here. An abort's text is not part of the contract.
import { requestedMessage } from "../protocol/integrity.ts";
import { expectationOf, faultRecords, unobserved, vacuous, verdict, type Checker } from "./verdict.ts";
import { answered } from "../history/record.ts";

/** The classes whose message the contract fixes. */
const CARRY_MESSAGE: readonly string[] = ["PanicError", "JsError"];

export const faithfulErrors: Checker = (run) => {
  const carriers = faultRecords(run).filter((r) => !answered(r) && CARRY_MESSAGE.includes(r.errorClass ?? ""));
  if (carriers.length === 0) {
    return expectationOf(run).fault.some((outcome) => CARRY_MESSAGE.includes(outcome))
      ? unobserved("faithful-errors", "the fault never surfaced as a PanicError or JsError, so its message was not seen")
      : vacuous("faithful-errors", "no fault here surfaces with a message the contract fixes");
  }
  const judged = carriers.filter((r) => requestedMessage(r.path) !== undefined);
  if (judged.length === 0) return unobserved("faithful-errors", "the fault request did not name the message to fail with");
  const wrong = judged.filter((r) => r.message !== requestedMessage(r.path));
  const first = wrong[0];
  return verdict("faithful-errors", wrong, `${judged.length} fault(s) arrived with the message they were raised with`,
    (ids) => `${first!.errorClass} message changed on the way: ${JSON.stringify(first!.message)} instead of ${JSON.stringify(requestedMessage(first!.path))}: ${ids}`);
};
