// How outcomes become HTTP responses. Every response names the generation that served it; a
// failure is a 500 whose `wrh-error` header and JSON body name its class (FailureBody).
import type { FailureBody } from "../protocol/recovery.ts";
import { GuestError } from "./errors.ts";

export function respond(status: number, jsonBody: string, generation: number, headers: Record<string, string> = {}): Response {
  return new Response(jsonBody, {
    status,
    headers: { "content-type": "application/json", "wrh-generation": String(generation), ...headers },
  });
}

export function json(status: number, body: unknown, generation: number): Response {
  return respond(status, JSON.stringify(body), generation);
}

/** A request the worker cannot serve as asked (unknown route, bad parameter). */
export class RequestError extends Error {
  readonly status: number;
  constructor(status: 400 | 404, message: string) {
    super(message);
    this.status = status;
    this.name = status === 404 ? "NotFound" : "BadRequest";
  }
}

export function failure(error: unknown, generation: number): Response {
  const status = error instanceof RequestError ? error.status : 500;
  // Anything that is not a classified guest failure is a bug in the host; say so plainly.
  const name = error instanceof GuestError || error instanceof RequestError ? error.name : "HostError";
  const body = {
    error: name as FailureBody["error"],
    message: error instanceof Error ? error.message : String(error),
    generation,
    critical: error instanceof GuestError && error.critical,
  } satisfies FailureBody;
  return respond(status, JSON.stringify(body), generation, { "wrh-error": name });
}
