// Speaks the canary protocol to the real canary (workers/real-canary): a Worker on the real
// `worker` crate, built by the real worker-build. Its successes are the canary's JSON bodies,
// but its failures are whatever workers-rs, wasm-bindgen's glue, worker-build's shim and
// workerd make of a fault: nothing in the worker names an error class, so the class is read
// from the text that came back. What that text cannot say stays unrecognised.
import { JS_ERROR_MESSAGE } from "../protocol/constants.ts";
import { CANARY_CLIENT, type Client, type Reading, UNRECOGNISED } from "./client.ts";

/**
 * How a real runtime's failure text maps to an error class, first match wins. The texts are
 * the runtime's own: wasm-bindgen's glue (stale objects and closures, `Module terminated`,
 * `PanicError`), workerd (a request it cancelled because nothing could settle it any more) and
 * V8 (traps, stack overflow). The canary's own fault messages tell a JS error from the rest.
 */
export const REAL_ERRORS: readonly { class: string; text: RegExp }[] = [
  { class: "Canceled", text: /canceled this request because it detected that your Worker's code had hung|will never generate a response/ },
  { class: "StaleObject", text: /Invalid stale object from previous Wasm instance/i },
  { class: "StaleInstance", text: /Cannot invoke closure from previous WASM instance/i },
  { class: "Terminated", text: /Module terminated/ },
  { class: "PanicError", text: /PanicError/ },
  { class: "JsError", text: new RegExp(JS_ERROR_MESSAGE) },
  { class: "Abort", text: /RuntimeError|unreachable|Maximum call stack size exceeded|out of memory|memory access out of bounds|Critical error/ },
];

export function classifyRealFailure(text: string): string {
  return REAL_ERRORS.find((e) => e.text.test(text))?.class ?? UNRECOGNISED;
}

/** The first line of a real failure's text, by class: the thrown error as the caller got it. */
const THROWN: Partial<Record<string, RegExp>> = {
  PanicError: /^Error: PanicError: ([^\n]*)/,
  // The canary's JS error is a plain Error: its name may or may not be repeated.
  JsError: /^Error: (?:Error: )?([^\n]*)/,
};

/**
 * The message of the PanicError or JS error a real runtime threw, from the text workerd
 * answered with (`Error: <name>: <message>`, then a stack); undefined for any other class or shape.
 */
export function thrownMessage(errorClass: string, text: string): string | undefined {
  return THROWN[errorClass]?.exec(text)?.[1];
}

/**
 * The real canary. Probes read what the real runtime exposes (the canary's own count of
 * instances, a shadow-stack address, linear memory size); wasm-bindgen's abort hook cannot be
 * counted without replacing it, so its checker reports it as not observed.
 */
export const REAL_CLIENT: Client = {
  ...CANARY_CLIENT,
  name: "real-canary",
  read(status, headers, text): Reading {
    const reading: Reading = { generation: Number(headers.get("wrh-generation")) || undefined };
    if (status === 200) {
      try {
        reading.body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        reading.message = text.slice(0, 300);
      }
      return reading;
    }
    const errorClass = classifyRealFailure(text);
    // A PanicError or JS error keeps its own message (faithful-errors judges it); other texts stay whole, as evidence.
    return { ...reading, errorClass, message: thrownMessage(errorClass, text) ?? text.slice(0, 300) };
  },
};
