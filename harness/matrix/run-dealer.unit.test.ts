import { describe, expect, it } from "vitest";
import { runDealer } from "./run-dealer.ts";

/** Runs `lanes` lanes in turns, one run each per turn, and lists which runs each lane did. */
function simulate(queues: number[][], lanes: number, slow?: (queue: readonly number[]) => boolean): number[][] {
  const deal = runDealer(queues, slow);
  const current: (number[] | undefined)[] = Array.from({ length: lanes }, () => deal());
  const done: number[][] = Array.from({ length: lanes }, () => []);
  while (current.some(Boolean)) {
    current.forEach((queue, lane) => {
      if (!queue) return;
      done[lane]!.push(queue.shift()!);
      current[lane] = deal(queue);
    });
  }
  return done;
}

describe("the run dealer", () => {
  it("with one lane, does every run in plan order", () => {
    expect(simulate([[0, 1, 2], [3, 4], [5]], 1)).toEqual([[0, 1, 2, 3, 4, 5]]);
  });

  it("keeps a lane on its configuration, starts the slow ones first, and splits the longest queue when nothing is left to start", () => {
    const done = simulate([[0, 1], [2, 3, 4, 5, 6, 7, 8, 9], [10]], 2, (queue) => queue[0] === 2);
    expect(done[0]).toEqual([2, 3, 4, 5, 6, 7]);
    expect(done[1]).toEqual([0, 1, 10, 8, 9]);
    expect(done.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("never splits a queue of one run", () => {
    expect(simulate([[0], [1, 2]], 3)).toEqual([[0], [1], [2]]);
  });
});
