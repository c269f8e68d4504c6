// The deadline a worker of your own is judged with, from how fast its preflight answered.
import { describe, expect, it } from "vitest";
import { type Answer, fitDeadline } from "./preflight.ts";

const answer = (ms: number, status: Answer["status"] = 500): Answer => ({ route: "/test-panic", status, reading: {}, text: "", ms });

describe("fitDeadline", () => {
  it("keeps the default for a release build, and says how fast it answered", () => {
    expect(fitDeadline({ panic: answer(120), abort: answer(300) })).toEqual({ ms: 10_000, note: "request deadline 10 s (the default; the slowest fault answered in 0.3 s)" });
  });

  // Before: a `worker-build --dev` build was judged with 10 s and its slow answers read as hangs.
  it("stretches it to five times the slowest answer of a slow (debug) build, and says so", () => {
    const { ms, note } = fitDeadline({ panic: answer(900), oom: answer(2_400) });
    expect(ms).toBe(12_000);
    expect(note).toMatch(/^request deadline 12 s: the slowest fault answered in 2\.4 s \(a debug build\?\)/);
  });

  it("lets --deadline win, and does not count a fault that hung", () => {
    expect(fitDeadline({ panic: answer(2_400) }, 3_000).ms).toBe(3_000);
    expect(fitDeadline({ panic: answer(100), abort: answer(10_000, "timeout") }).ms).toBe(10_000);
  });
});
