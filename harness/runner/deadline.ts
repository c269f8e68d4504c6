// Request deadlines. Apart from the runner (which loads Miniflare) so the engine can tell a
// timeout from other failures wherever it runs, inside workerd included
// (harness/testing/inside-workerd.ts).
/** How long a request may take unless the caller says otherwise (`--deadline`). */
export const DEFAULT_REQUEST_DEADLINE_MS = 10_000;

export class DeadlineError extends Error {
  override name = "DeadlineError";
}

/**
 * How long a request may take: milliseconds from when it is sent, or from when `from` settles.
 * A sibling parked through a storm of thousands of faults is not late until the storm is over:
 * counting from its start would blame the worker for how long the harness took to send the storm.
 */
export type Deadline = number | { ms: number; from: Promise<unknown> };

/**
 * A promise that rejects with a DeadlineError for `path` once `deadline` passes, calling
 * `onExpire` first (to abort the request); `clear()` when the exchange ended.
 */
export function expiry(deadline: Deadline, path: string, onExpire?: () => void): { expired: Promise<never>; clear(): void } {
  const ms = typeof deadline === "number" ? deadline : deadline.ms;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cleared = false;
  const expired = new Promise<never>((_, reject) => {
    const arm = () => {
      if (cleared) return;
      timer = setTimeout(() => {
        onExpire?.();
        reject(new DeadlineError(`${path}: no response within ${ms} ms${typeof deadline === "number" ? "" : " of its release"}`));
      }, ms);
    };
    if (typeof deadline === "number") arm();
    else void deadline.from.then(arm, arm);
  });
  // Nobody may be listening once the exchange won the race.
  expired.catch(() => {});
  return { expired, clear: () => { cleared = true; clearTimeout(timer); } };
}
