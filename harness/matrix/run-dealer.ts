// Which run a lane of a parallel matrix does next (harness/matrix/matrix.ts). Apart so it can
// be tested without starting workerd.
/**
 * Hands the runs of a parallel matrix to its lanes, one configuration (one workerd) at a time,
 * so no lane idles while another still has a long queue. A lane keeps to its configuration while
 * it has runs left; then it takes one nobody started (those `slow` says are slow first, else in
 * order); when none is left, the second half of the longest queue still running, on a
 * workerd of its own. Each queue keeps plan order.
 */
export function runDealer(queues: readonly number[][], slow?: (queue: readonly number[]) => boolean): (current?: number[]) => number[] | undefined {
  const waiting = slow ? [...queues].sort((a, b) => Number(slow(b)) - Number(slow(a)) || b.length - a.length) : [...queues];
  const started: number[][] = [];
  return (current) => {
    if (current?.length) return current;
    const next = waiting.shift();
    if (next) {
      started.push(next);
      return next;
    }
    const longest = started.reduce<number[] | undefined>((a, b) => (!a || b.length > a.length ? b : a), undefined);
    if (!longest || longest.length < 2) return undefined;
    const half = longest.splice(Math.ceil(longest.length / 2));
    started.push(half);
    return half;
  };
}
