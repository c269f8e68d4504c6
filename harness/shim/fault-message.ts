// The message a fault request names (`?text=&n=`): the guest formats it as "<text> <n>"
// (harness/protocol/integrity.ts, faultMessage), so the harness knows what the caller must get.
import { RequestError } from "./responses.ts";
import type { Arg } from "./runtime.ts";

/** The export arguments (text, n) of the message `url` names; null pointers when it names none. */
export function saying(url: URL): Arg[] {
  const text = url.searchParams.get("text");
  if (text === null) return [0, 0, 0];
  const n = Number(url.searchParams.get("n") ?? 0);
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffff_ffff) throw new RequestError(400, "query parameter n must be a 32-bit unsigned integer");
  return [text, n];
}
