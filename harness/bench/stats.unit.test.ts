import { describe, expect, it } from "vitest";
import { apart, extraIn, show, summarize, times } from "./stats.ts";

const around = (...samples: number[]) => summarize(samples);
const instantiate = { size: 5, name: "a raw instantiate" };

describe("bench figures", () => {
  it("summarises min, median and max", () => {
    expect(around(3, 1, 2, 10)).toEqual({ min: 1, median: 2.5, max: 10, samples: 4 });
  });

  it("a difference of timings that came out below zero prints as below noise, never negative", () => {
    expect(show(around(-0.001, 0.007, 0.013), "", 3)).toBe("0.007 (below noise–0.013)");
    expect(show(around(-2, -1, 3), "µs", 1)).toBe("below noise (below noise–3.0)");
    expect(show(around(1, 2, 3), "ms", 1)).toBe("2.0 ms (1.0–3.0)");
  });

  it("two measurements are apart only when their ranges do not overlap", () => {
    expect(apart(around(1, 2), around(3, 4))).toBe(true);
    expect(apart(around(3, 4), around(1, 2))).toBe(true);
    expect(apart(around(1, 3), around(3, 4))).toBe(false);
    expect(apart(around(1, 10), around(4, 5))).toBe(false);
  });

  it("a ratio inside the noise prints as within noise with both spreads, never as a number", () => {
    expect(times(around(1.0, 1.4), around(1.2, 1.3))).toBe("within noise (1.00–1.40 vs 1.20–1.30)");
    expect(times(around(4, 6), around(1, 2))).toBe("3.33×");
    // A raw call's timing minus an empty one's can come out below zero in a round.
    expect(times(around(-0.002, 0.011, 0.025), around(0.005, 0.010), 3)).toBe("within noise (below noise–0.025 vs 0.005–0.010)");
  });

  it("an extra cost inside the noise is not 0.00×; outside it is a multiple of the unit", () => {
    expect(extraIn(around(10, 12), around(11, 13), "ms", instantiate)).toBe("within noise (10.00–12.00 vs 11.00–13.00)");
    expect(extraIn(around(20, 22), around(10, 12), "ms", instantiate)).toBe("+10.00 ms (2.00× a raw instantiate)");
  });

  it("a cost below the baseline is said in words, never as a negative figure or a silent zero", () => {
    const text = extraIn(around(1, 2), around(10, 12), "ms", instantiate);
    expect(text).toBe("9.50 ms less than the baseline (1.90× a raw instantiate)");
    expect(text).not.toMatch(/-\d/);
  });
});
