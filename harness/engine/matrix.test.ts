import { describe, expect, it } from "vitest";
import { MatrixInputError, configurations } from "./matrix.ts";

// The matrix over the whole catalog, the negative controls and the mutation score run as the
// regression suite in scenarios/.
describe("the matrix", () => {
  it("expands only the strategies each build can run", () => {
    expect(configurations({ variants: ["abort", "unwind"], topologies: ["shared"] }).map((c) => `${c.variant}/${c.strategy}`))
      .toEqual(["abort/none", "abort/reset", "unwind/unwind"]);
    expect(() => configurations({ variants: ["abort"], strategies: ["unwind"] })).toThrow(MatrixInputError);
  });
});
