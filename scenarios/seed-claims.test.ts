// The seed articles' claims about the two recovery strategies, each measured from real runs
// (shared topology, where the Durable Object shares the handler's instance), on the reference
// runtime and on real workers-rs. On the reference runtime every claim must hold. On real
// workers-rs a claim that does not hold is a finding (docs/findings.md), listed in
// REAL_FINDINGS: the test fails if such a claim starts to hold, or if another one stops. The
// tables this prints are the ones in docs/testing.md, "The published claims, measured".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarios } from "../harness/engine/load-scenarios.ts";
import { type RunResult } from "../harness/checkers/index.ts";
import { runMatrix } from "../harness/matrix/matrix.ts";
import type { HistoryRecord } from "../harness/history/record.ts";

const catalog = await loadScenarios();

/** The builds each runtime is measured on, per strategy. */
const RUNTIMES = {
  reference: { reset: "abort", unwind: "unwind" },
  "real workers-rs": { reset: "real-abort", unwind: "real-unwind" },
} as const;
type Runtime = keyof typeof RUNTIMES;

/** Claims real workers-rs 0.8.7 does not keep, and the finding that says why. */
const REAL_FINDINGS: Record<string, string> = {
  "in-flight siblings on the dead instance fail fast": "F2: they are cancelled by workerd as hung, not failed as stale",
};

const records = (run: RunResult, role: string) => run.history.records.filter((r) => r.role === role);
const succeeded = (list: HistoryRecord[]) => list.filter((r) => r.status === 200 && r.integrity !== "wrong").length;
const generation = (run: RunResult, which: 0 | 1) =>
  Number(run.history.records.filter((r) => r.kind === "info").at(which === 0 ? 0 : -1)!.body?.generation);
const objectStates = (run: RunResult) => run.history.records.filter((r) => r.kind === "object-state").map((r) => r.body as { memory: number; stored: number });

for (const runtime of Object.keys(RUNTIMES) as Runtime[]) {
  describe(`the seed articles' claims, measured on ${runtime}`, () => {
    const rows: string[][] = [];
    let runs: Map<string, RunResult>;

    function claim(strategy: string, text: string, measured: string, holds: boolean): void {
      const finding = runtime === "reference" ? undefined : REAL_FINDINGS[text];
      rows.push([strategy, text, measured, holds ? "holds" : `no (${finding ?? "not a known finding"})`]);
      expect(holds, `${runtime}: ${strategy}: ${text} — measured: ${measured}${finding ? ` (known: ${finding})` : ""}`).toBe(finding === undefined);
    }

    beforeAll(async () => {
      const matrix = await runMatrix({
        scenarios: catalog.filter((s) => s.name === "panic-with-siblings" || s.name === "abort-with-siblings"),
        variants: Object.values(RUNTIMES[runtime]), strategies: ["reset", "unwind"], topologies: ["shared"],
      });
      runs = new Map(matrix.results.map((r) => [`${r.scenario}/${r.config.strategy}`, r]));
    }, 120_000);

    it("reset: a panic fails the request, kills in-flight siblings fast, later requests succeed, DO memory is reset", () => {
      const run = runs.get("panic-with-siblings/reset")!;
      const [fault] = records(run, "fault");
      claim("reset", "the faulting request fails", `${fault!.status} ${fault!.errorClass}`, fault!.status === 500);
      const inflight = records(run, "inflight");
      const stale = inflight.filter((r) => r.errorClass === "StaleInstance").length;
      const leftParked = Number(run.history.records.find((r) => r.kind === "release")!.body?.released);
      const classes = [...new Set(inflight.map((r) => r.errorClass ?? String(r.status)))].join("/");
        claim("reset", "in-flight siblings on the dead instance fail fast", `${stale}/${inflight.length} StaleInstance (all: ${classes}), ${leftParked} still parked at release`, stale === inflight.length && leftParked === 0);
      const later = records(run, "later");
      claim("reset", "later requests succeed", `${succeeded(later)}/${later.length} succeeded, generation ${generation(run, 0)} → ${generation(run, 1)}`, succeeded(later) === later.length);
      const [before, after] = objectStates(run);
      claim("reset", "Durable Object memory is reset", `in-memory count ${before!.memory} → ${after!.memory}, stored ${before!.stored} → ${after!.stored}`, after!.memory === 0 && after!.stored === before!.stored);
    });

    it("unwind: a panic fails only its own request and the Durable Object keeps its memory", () => {
      const run = runs.get("panic-with-siblings/unwind")!;
      const [fault] = records(run, "fault");
      const siblings = [...records(run, "inflight"), ...records(run, "later")];
      claim("unwind", "only the faulting request fails", `${fault!.errorClass}; ${siblings.length - succeeded(siblings)}/${siblings.length} siblings failed, generation ${generation(run, 0)} → ${generation(run, 1)}`,
        fault!.errorClass === "PanicError" && succeeded(siblings) === siblings.length && generation(run, 0) === generation(run, 1));
      const [before, after] = objectStates(run);
      claim("unwind", "Durable Object memory is kept", `in-memory count ${before!.memory} → ${after!.memory} (+ parked increments), stored ${before!.stored} → ${after!.stored}`, after!.memory >= before!.memory && after!.stored === before!.stored);
    });

    it("unwind: an abort resets the instance and later requests succeed", () => {
      const run = runs.get("abort-with-siblings/unwind")!;
      const later = records(run, "later");
      claim("unwind", "an abort resets, later requests succeed", `${records(run, "fault")[0]!.errorClass}; generation ${generation(run, 0)} → ${generation(run, 1)}; ${succeeded(later)}/${later.length} later succeeded`,
        // A new instance at all: how many is the recovery checker's (one, not two: F7).
        generation(run, 1) > generation(run, 0) && succeeded(later) === later.length);
    });

    afterAll(() => {
      const table = [`${runtime}:`, "| strategy | claim | measured | holds |", "|---|---|---|---|", ...rows.map((r) => `| ${r.join(" | ")} |`)];
      console.log(table.join("\n"));
    });
  });
}
