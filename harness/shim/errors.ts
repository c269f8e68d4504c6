// Errors the host raises for failed guest calls. Each `name` is an ErrorClass
// (harness/protocol/recovery.ts); `critical` says whether the failure terminated the instance.
import type { ErrorClass } from "../protocol/recovery.ts";

export abstract class GuestError extends Error {
  abstract override readonly name: ErrorClass;
  critical = false;
}

/** A Rust panic that unwound to the boundary. */
export class PanicError extends GuestError {
  override readonly name = "PanicError";
}

/** A JS exception from a host import that travelled through Rust frames; `cause` is the original. */
export class JsError extends GuestError {
  override readonly name = "JsError";
}

/** The guest trapped, ran out of memory or overflowed its stack. */
export class Abort extends GuestError {
  override readonly name = "Abort";
}

/** Entry refused: the instance was aborted and no reset was scheduled. */
export class Terminated extends GuestError {
  override readonly name = "Terminated";
}

/** The operation was in flight in a generation that died. */
export class StaleInstance extends GuestError {
  override readonly name = "StaleInstance";
}

/** A handle from an earlier generation was used. */
export class StaleObject extends GuestError {
  override readonly name = "StaleObject";
}

/** The worker's strategy or mutants are impossible for its build. */
export class ConfigError extends GuestError {
  override readonly name = "ConfigError";
}
