// The canary's own imports (`canary_host`, declared in workers/canary/src/faults.rs and
// reenter.rs): the JS a Rust Worker calls into, written to fail or re-enter on request.
import type { GuestRuntime } from "./runtime.ts";

export function canaryImports(runtime: GuestRuntime) {
  const text = (ptr: number, len: number) => runtime.readText(ptr, len);
  return {
    canary_host: {
      throw_js_error: (ptr: number, len: number) => {
        throw new Error(text(ptr, len));
      },
      /**
       * JS → Rust again: the next level of a re-entrant chain; `swallow` catches its failure.
       * Levels below the first read the chain's seed and message from it (workers/canary/src/reenter.rs).
       */
      reenter: (depth: number, at: number, fault: number, swallow: number, level: number) => {
        try {
          runtime.call("canary_reenter", [depth, at, fault, swallow, level]);
        } catch (error) {
          if (!swallow) throw error;
        }
      },
    },
  };
}
