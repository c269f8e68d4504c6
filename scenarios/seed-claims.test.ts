// The seed articles' claims about the two recovery strategies, each measured from real runs
// (shared topology, where the Durable Object shares the handler's instance) and asserted. The
// table this prints is the one in the README.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarios } from "../harness/engine/load-scenarios.ts";
import { type RunResult, runMatrix } from "../harness/engine/matrix.ts";
import type { HistoryRecord } from "../harness/history/record.ts";

const catalog = await loadScenarios();
const rows: string[][] = [];
let runs: Map<string, RunResult>;

const records = (run: RunResult, role: string) => run.history.records.filter((r) => r.role === role);
const succeeded = (list: HistoryRecord[]) => list.filter((r) => r.status === 200 && r.integrity !== "wrong").length;
const generation = (run: RunResult, which: 0 | 1) =>
  Number(run.history.records.filter((r) => r.kind === "info").at(which === 0 ? 0 : -1)!.body?.generation);
const objectStates = (run: RunResult) => run.history.records.filter((r) => r.kind === "object-state").map((r) => r.body as { memory: number; stored: number });

function claim(strategy: string, text: string, measured: string, holds: boolean): void {
  rows.push([strategy, text, measured]);
  expect(holds, `${strategy}: ${text} — measured: ${measured}`).toBe(true);
}

describe("the seed articles' claims, measured", () => {
  beforeAll(async () => {
    const matrix = await runMatrix({
      scenarios: catalog.filter((s) => s.name === "panic-with-siblings" || s.name === "abort-with-siblings"),
      variants: ["abort", "unwind"], strategies: ["reset", "unwind"], topologies: ["shared"],
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
    claim("reset", "in-flight siblings on the dead instance fail fast", `${stale}/${inflight.length} StaleInstance, ${leftParked} still parked at release`, stale === inflight.length && leftParked === 0);
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
      generation(run, 1) === generation(run, 0) + 1 && succeeded(later) === later.length);
  });

  afterAll(() => {
    const table = ["| strategy | claim | measured |", "|---|---|---|", ...rows.map((r) => `| ${r.join(" | ")} |`)];
    console.log(table.join("\n"));
  });
});
