// The barrier behind "N siblings in flight": requests park inside Rust until the harness
// releases them, and the harness can ask how many are parked. A park is a promise created in
// the parked request's own context, with a timer there too: workerd cancels a request that
// waits on nothing of its own as hung, and the timer doubles as the park's deadline.

export const DEFAULT_PARK_TIMEOUT_MS = 30_000;

interface Parked {
  release(released: boolean): void;
  timer: ReturnType<typeof setTimeout>;
}

export class ParkingLot {
  readonly #parked = new Map<number, Parked>();
  #next = 1;

  get size(): number {
    return this.#parked.size;
  }

  /**
   * Parks the caller: the promise resolves true when released, false when `timeoutMs` passes.
   * `cancel` forgets the park without settling it.
   */
  park(timeoutMs: number): { released: Promise<boolean>; cancel(): void } {
    const id = this.#next++;
    // Not `new Promise`: once TurboFan optimizes this method, the promises it constructs inline
    // lack workerd's promise context tag, a release from another request then runs the parked
    // request's continuation in the releasing request, and its Response fails there ("Cannot
    // perform I/O on behalf of a different request"). The builtin tags them in every tier.
    const { promise: released, resolve } = Promise.withResolvers<boolean>();
    const cancel = () => {
      const parked = this.#parked.get(id);
      if (!parked) return;
      clearTimeout(parked.timer);
      this.#parked.delete(id);
    };
    const timer = setTimeout(() => { cancel(); resolve(false); }, timeoutMs);
    this.#parked.set(id, { release: resolve, timer });
    return { released, cancel };
  }

  /** Releases up to `count` parked callers, oldest first; returns how many. */
  release(count = Number.POSITIVE_INFINITY): number {
    let released = 0;
    for (const [id, parked] of this.#parked) {
      if (released >= count) break;
      clearTimeout(parked.timer);
      this.#parked.delete(id);
      parked.release(true);
      released++;
    }
    return released;
  }
}
