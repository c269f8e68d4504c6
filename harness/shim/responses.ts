// How outcomes become HTTP responses. Every response names the generation that served it; a
// failure is a 500 whose `wrh-error` header and JSON body name its class (FailureBody), or,
// on the routes of workers-rs's test-worker layout, whose text body does.
import type { FailureBody } from "../protocol/recovery.ts";
import { GuestError } from "./errors.ts";

export function respond(status: number, body: string, generation: number, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "application/json", "wrh-generation": String(generation), ...headers },
  });
}

/** Plain text, with the content type workers-rs gives a `String` body. */
export function text(status: number, body: string, generation: number, headers: Record<string, string> = {}): Response {
  return respond(status, body, generation, { "content-type": "text/plain; charset=utf-8", ...headers });
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

/**
 * A failure a Durable Object already classified and answered with a FailureBody: the request
 * that called it fails with the object's class and message, not as a host bug.
 */
export class ForwardedFailure extends Error {
  readonly critical: boolean;
  constructor(body: FailureBody) {
    super(body.message);
    this.name = body.error;
    this.critical = body.critical;
  }
}

function failureBody(error: unknown, generation: number): FailureBody {
  const known = error instanceof GuestError || error instanceof RequestError || error instanceof ForwardedFailure;
  // Anything that is not a classified guest failure is a bug in the host; say so plainly.
  return {
    error: (known ? error.name : "HostError") as FailureBody["error"],
    message: error instanceof Error ? error.message : String(error),
    generation,
    critical: (error instanceof GuestError || error instanceof ForwardedFailure) && error.critical,
  };
}

function failureStatus(error: unknown): number {
  return error instanceof RequestError ? error.status : 500;
}

export function failure(error: unknown, generation: number): Response {
  const body = failureBody(error, generation);
  return respond(failureStatus(error), JSON.stringify(body), generation, { "wrh-error": body.error });
}

/**
 * A failure the way workers-rs's `respond_with_errors` answers it: `<class>: <message>` as
 * text, which is all a profile of such a worker has to classify it by.
 */
export function textFailure(error: unknown, generation: number): Response {
  const body = failureBody(error, generation);
  return text(failureStatus(error), `${body.error}: ${body.message}`, generation, { "wrh-error": body.error });
}
