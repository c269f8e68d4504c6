import { describe, expect, it } from "vitest";
import { duration } from "./duration.ts";

describe("duration", () => {
  it("prints tenths of a second under a minute, minutes and seconds above, never 60 s or 1 min 60 s", () => {
    expect([0, 320, 9_960, 59_940, 59_960, 61_500, 119_600, 3_723_000].map(duration))
      .toEqual(["0.0 s", "0.3 s", "10.0 s", "59.9 s", "1 min 0 s", "1 min 2 s", "2 min 0 s", "62 min 3 s"]);
  });
});
