// The constants the harness shares with the Rust workers, from their one source
// (constants.json; workers/protocol.rs reads the same file when the workers compile).
import constants from "./constants.json" with { type: "json" };

/** Bytes of the buffer a parked or sleeping sibling holds across an await. */
export const BUFFER_BYTES: number = constants.bufferBytes;
/** Bytes each level of a re-entrant chain keeps on the shadow stack. */
export const FRAME_BYTES: number = constants.frameBytes;
/** The code of the fault a `/reenter` chain raises, as the canary's `reenter` export takes it. */
export const REENTER_FAULTS: Readonly<Record<string, number>> = constants.reenterFaults;
/** Bits of the guest's own test-only mutants, as `wrh_start` takes them. */
export const GUEST_MUTANTS: Readonly<Record<"no-termination-guard" | "panic-hook-traps" | "future-leak-on-unwind", number>> = constants.guestMutants;
/** What the canaries panic and throw with when a fault request names no message. */
export const PANIC_MESSAGE: string = constants.panicMessage;
export const JS_ERROR_MESSAGE: string = constants.jsErrorMessage;
