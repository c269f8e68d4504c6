import { describe, expect, it } from "vitest";
import type { RunConfig } from "../history/run.ts";
import type { RunResult } from "../checkers/index.ts";
import type { Scenario } from "../history/scenario.ts";
import { runStatus, type Verdict } from "../checkers/verdict.ts";
import type { HistoryRecord } from "../history/record.ts";
import { ALL_TIMELINES_UP_TO, MAX_LANES, renderHtml } from "./html.ts";

// Synthetic histories: the renderer only reads what a run recorded, so no workerd is needed.
const SCENARIO: Scenario = {
  name: "panic-with-siblings",
  description: "panic! in a stateless request while siblings are parked inside Rust",
  fault: { kind: "panic", place: "handler" },
  workload: { inflight: { handler: 2 }, later: { handler: 2 } },
  expect: { reset: { fault: ["Abort"], reset: true, inflight: "fail-fast", later: "succeed" } },
};

const CONFIG: RunConfig = { variant: "abort", strategy: "reset", topology: "shared", mutants: [], repeat: 1 };

function op(id: number, fields: Partial<HistoryRecord>): HistoryRecord {
  return { run: "r", id, role: "later", kind: "sleep", isolate: "handler", path: `/op/${id}`, start: id * 10, end: id * 10 + 5, status: 200, generation: 1, ...fields };
}

function run(records: HistoryRecord[], verdicts: Verdict[], extra: Partial<RunResult> = {}): RunResult {
  return {
    runId: "panic-with-siblings/abort/reset/shared/1", scenario: SCENARIO.name, config: CONFIG,
    status: runStatus(verdicts), verdicts, blastRadius: 2, recoveryLatencyMs: 12.5, operations: records.length, durationMs: 0,
    history: { runId: "panic-with-siblings/abort/reset/shared/1", scenario: SCENARIO, config: CONFIG, records, output: "" },
    ...extra,
  };
}

/**
 * A reset run: two in-flight siblings fail with the old generation, the fault aborts, later
 * siblings run on generation 2; #7 completes before #6, so #7 is where generation 2 shows first.
 */
const RECORDS: HistoryRecord[] = [
  op(1, { role: "probe", kind: "info", start: 0, end: 4 }),
  op(2, { role: "inflight", kind: "park", start: 5, end: 40, status: 500, errorClass: "StaleInstance", message: "task 1 was in flight" }),
  op(3, { role: "inflight", kind: "park", start: 5, end: 41, status: 500, errorClass: "StaleInstance", message: "task 2 was in flight" }),
  op(4, { role: "fault", kind: "panic@handler", path: "/panic", start: 20, end: 30, status: 500, errorClass: "Abort", message: "panicked: <script>alert(1)</script>", body: { error: "Abort", note: "</pre><b>bold</b>" } }),
  op(5, { role: "probe", kind: "release", start: 31, end: 42 }),
  op(6, { role: "later", kind: "sleep", start: 50, end: 90, generation: 2 }),
  op(7, { role: "later", kind: "echo", start: 51, end: 60, generation: 2, integrity: "wrong" }),
  op(8, { role: "later", kind: "sleep", start: 52, end: 95, status: "timeout", generation: undefined }),
  op(9, { role: "probe", kind: "info", start: 96, end: 100, generation: 2 }),
];

const VERDICTS: Verdict[] = [
  { checker: "classification", status: "holds", summary: "fault ended as Abort", evidence: [] },
  { checker: "integrity", status: "broken", summary: "wrong data: #7, #8", evidence: [7, 8] },
];

/** Lanes in document order, each as its class list and label text. */
function lanes(html: string): { classes: string; label: string; bars: string[] }[] {
  const found = [...html.matchAll(/<div class="lane(?! axis)([^"]*)">(.*?)<\/div><div class="track">(.*?)<\/div><\/div>/gs)];
  return found.map((m) => ({
    classes: m[1]!.trim(),
    label: /<span class="text">([^<]*)<\/span>/.exec(m[2]!)![1]!,
    bars: [...m[3]!.matchAll(/<span class="([^"]*)" id="([^"]*)"/g)].map((b) => `${b[2]} ${b[1]}`),
  }));
}

/** The `left:` of the overlay lines of one class, in percent. */
function lines(html: string, className: string): number[] {
  return [...html.matchAll(new RegExp(`<span class="${className}[^"]*" style="left:([\\d.]+)%`, "g"))].map((m) => Number(m[1]));
}

describe("the HTML report", () => {
  const html = renderHtml([run(RECORDS, VERDICTS)]);

  it("is one self-contained document: no script, no external resources", () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(/i);
  });

  it("draws one lane per record, in id order, labelled with role, kind and outcome", () => {
    expect(lanes(html).map((l) => l.label)).toEqual([
      "#1 probe info → 200",
      "#2 inflight park → 500 StaleInstance",
      "#3 inflight park → 500 StaleInstance",
      "#4 fault panic@handler → 500 Abort",
      "#5 probe release → 200",
      "#6 later sleep → 200",
      "#7 later echo → 200 wrong data",
      "#8 later sleep → timeout",
      "#9 probe info → 200",
    ]);
    expect(lanes(html).map((l) => l.bars[0]!.split(" ").slice(1, 3).join(" "))).toEqual([
      "bar ok", "bar failed", "bar failed", "bar failed", "bar ok", "bar ok", "bar wrong", "bar lost", "bar ok",
    ]);
  });

  it("scales bars to the run and gives zero-length operations a visible width", () => {
    const instant = renderHtml([run([op(1, { start: 0, end: 100 }), op(2, { start: 50, end: 50 })], [])]);
    expect(instant).toContain(`id="run-1-op-2" style="left:50.000%;width:0.000%"`);
    expect(instant).toMatch(/\.bar \{[^}]*min-width: 3px/);
  });

  it("marks the fault: its lane, and lines at its start and end across all lanes", () => {
    expect(lanes(html).filter((l) => l.classes.includes("fault")).map((l) => l.label)).toEqual(["#4 fault panic@handler → 500 Abort"]);
    // The span is 100 ms, so the fault's 20–30 ms is 20 %–30 %.
    expect(html).toContain(`<span class="fault-window" style="left:20.000%;width:10.000%">`);
    expect(html).toContain(`<a href="#run-1-op-4">fault #4</a>`);
  });

  it("marks a generation change at the first operation, in completion order, served by a higher generation", () => {
    const changed = lanes(html).filter((l) => l.classes.includes("generation"));
    expect(changed.map((l) => l.label)).toEqual(["#7 later echo → 200 wrong data"]);
    expect(lines(html, "generation-line")).toEqual([51]);
    expect(html).toContain(`<a href="#run-1-op-7">generation 1 → 2</a>`);
    expect(html).toContain(`<span class="tag generation">gen 1→2</span>`);
  });

  it("marks nothing where the generation stays or an older generation answers late", () => {
    const steady = renderHtml([run([op(1, { generation: 2 }), op(2, { generation: 1 }), op(3, { generation: 2 })], [])]);
    expect(lines(steady, "generation-line")).toEqual([]);
    expect(steady).not.toContain("generation 1 → 2");
  });

  it("counts generations per isolate under the split topology", () => {
    const split = renderHtml([run([
      op(1, { isolate: "objects", generation: 1 }), op(2, { isolate: "handler", generation: 1 }),
      op(3, { isolate: "objects", generation: 2 }), op(4, { isolate: "handler", generation: 2, end: 100 }),
    ], [], { config: { ...CONFIG, topology: "split" } })]);
    expect(lines(split, "generation-line")).toEqual([30, 40]);
    expect(split).toContain("generation 1 → 2 (objects)");
    expect(split).toContain("generation 1 → 2 (handler)");
  });

  it("highlights evidence records in the timeline and links every evidence id to its lane", () => {
    const evidenceBars = lanes(html).flatMap((l) => l.bars).filter((b) => b.includes("evidence"));
    expect(evidenceBars).toEqual(["run-1-op-7 bar wrong evidence", "run-1-op-8 bar lost evidence"]);
    expect(html).toContain(`<td><a href="#run-1-op-7">#7</a>, <a href="#run-1-op-8">#8</a></td>`);
    expect(html).toContain(`<span class="tag evidence">integrity</span>`);
  });

  it("lists each broken verdict with its evidence records in full", () => {
    const evidence = html.slice(html.indexOf("<h3>Evidence</h3>"), html.indexOf("<details>"));
    expect(evidence).toContain(`<h4>integrity: wrong data: #7, #8</h4>`);
    expect(evidence).not.toContain("classification");
    expect(evidence).toContain(`<dt>path</dt><dd>/op/7</dd>`);
    expect(evidence).toContain(`<dt>integrity</dt><dd>wrong</dd>`);
    expect(evidence).toContain(`<dt>status</dt><dd>timeout</dd>`);
    expect(html).toMatch(/<tr class="broken">\s*<td>integrity<\/td><td><span class="badge fail">broken<\/span>/);
    expect(html).toContain(`<span class="badge fail">BROKEN: integrity</span>`);
  });

  it("escapes what the worker sent: messages, bodies and console output", () => {
    const noisy = renderHtml([run(RECORDS, [{ checker: "classification", status: "broken", summary: "<i>x</i>", evidence: [4] }], {
      history: { ...run(RECORDS, []).history, output: "log <script>alert(2)</script> & more\n" },
    })]);
    expect(noisy).not.toMatch(/<script|<b>bold|<i>x/);
    expect(noisy).toContain("panicked: &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(noisy).toContain("&lt;/pre&gt;&lt;b&gt;bold&lt;/b&gt;");
    expect(noisy).toContain("log &lt;script&gt;alert(2)&lt;/script&gt; &amp; more");
    expect(noisy).toContain("&lt;i&gt;x&lt;/i&gt;");
  });

  it("does not show a guarantee the worker could not observe as a pass", () => {
    const page = renderHtml([run(RECORDS, [{ checker: "stack", status: "unknown", summary: "not observed: no probes", evidence: [] }])]);
    expect(page).toMatch(/<td>stack<\/td><td><span class="badge unobserved">unknown \(not observed\)<\/span>/);
    expect(page).toContain("1 runs: 0 hold, 0 broken, 1 unknown");
  });

  it("shows the configuration, the outcome figures and what the strategy promised", () => {
    expect(html).toContain(`<dt>blast radius</dt><dd>2</dd>`);
    expect(html).toContain(`<dt>recovery latency</dt><dd>12.5 ms</dd>`);
    expect(html).toContain("reset promises:</strong> the fault ends as Abort; the faulted isolate is reset");
    expect(html).toContain("in-flight siblings fail fast with StaleInstance; later siblings succeed.");
  });

  it("groups a 2,000-operation storm into few lanes but keeps every fault and evidence record", () => {
    const storm: HistoryRecord[] = Array.from({ length: 2000 }, (_, i) => i % 10 === 0
      ? op(i + 1, { role: "fault", kind: "panic@handler", status: 500, errorClass: "PanicError", start: i, end: i + 0.5 })
      : op(i + 1, { role: "later", kind: "ok", start: i, end: i + 0.5 }));
    storm[1234] = op(1235, { role: "later", kind: "ok", start: 1234, end: 1234.5, integrity: "wrong" });
    const page = renderHtml([run(storm, [{ checker: "integrity", status: "broken", summary: "wrong data: #1235", evidence: [1235] }])]);
    const grouped = lanes(page);
    expect(grouped.length).toBeLessThanOrEqual(MAX_LANES);
    expect(grouped.map((l) => l.label)).toEqual([
      "#1–#1991 ×200 fault panic@handler → 500 PanicError",
      "#2–#2000 ×1799 later ok → 200",
      "#1235 later ok → 200 wrong data",
    ]);
    expect(grouped[0]!.bars).toHaveLength(200);
    expect(page).toContain("2000 operations in 3 lanes");
    expect(page).toContain(`<a href="#run-1-op-1">fault #1</a> <span class="more">(+199 more faults)</span>`);
    expect(lines(page, "fault-window")).toHaveLength(200);
    expect(page).toContain(`<a href="#run-1-op-1235">#1235</a>`);
  });

  it("keeps consecutive grouping when that is enough, and a generation change in its own lane", () => {
    const scale: HistoryRecord[] = [
      op(1, { role: "probe", kind: "info", start: 0, end: 1 }),
      ...Array.from({ length: 400 }, (_, i) => op(i + 2, { role: "inflight", kind: "park", status: 500, errorClass: "StaleInstance", start: 1, end: 5 })),
      op(402, { role: "fault", kind: "abort@handler", status: 500, errorClass: "Abort", start: 2, end: 3 }),
      ...Array.from({ length: 400 }, (_, i) => op(403 + i, { role: "later", kind: "sleep", generation: 2, start: 6 + i / 100, end: 7 + i / 100 })),
      op(803, { role: "probe", kind: "info", start: 11, end: 12 }),
    ];
    expect(lanes(renderHtml([run(scale, [])])).map((l) => l.label)).toEqual([
      "#1 probe info → 200",
      "#2–#401 ×400 inflight park → 500 StaleInstance",
      "#402 fault abort@handler → 500 Abort",
      "#403 later sleep → 200",
      "#404–#802 ×399 later sleep → 200",
      "#803 probe info → 200",
    ]);
  });

  it("renders several runs after an index, and two runs of one scenario on one time scale", () => {
    const short = run([op(1, { start: 0, end: 50 })], []);
    const long = { ...run([op(1, { start: 0, end: 200 })], []), runId: "panic-with-siblings/unwind/unwind/shared/1" };
    const pair = renderHtml([short, long], { title: "none vs unwind" });
    expect(pair).toContain("<title>none vs unwind</title>");
    expect(pair).toContain(`<a href="#run-1">panic-with-siblings</a>`);
    expect(pair).toContain(`<section class="run" id="run-2">`);
    expect(pair).toContain(`id="run-1-op-1" style="left:0.000%;width:25.000%"`);
    expect(pair).toContain("Both timelines share one time scale.");
    const other = { ...long, scenario: "abort-with-siblings" };
    expect(renderHtml([short, other])).toContain(`id="run-1-op-1" style="left:0.000%;width:100.000%"`);
  });

  it("shows a run the harness could not complete as the harness's error, judged by no checker", () => {
    const failed = run([], [], { status: "error", error: "boom" });
    const page = renderHtml([failed]);
    expect(page).toContain("No operations were recorded.");
    expect(page).toContain("The harness could not complete this run: boom. Nothing was judged.");
    expect(page).toContain("HARNESS ERROR");
  });

  it("draws a big report's timelines only for the broken, the harness errors and the runs asked for", () => {
    const holding = (i: number) => ({ ...run([op(1, {})], [VERDICTS[0]!]), runId: `panic-with-siblings/abort/reset/shared/${i}` });
    const runs = [...Array.from({ length: ALL_TIMELINES_UP_TO }, (_, i) => holding(i + 1)), run(RECORDS, VERDICTS, { runId: "broken/abort/reset/shared/1" })];
    const sections = (page: string) => [...page.matchAll(/<section class="run" id="(run-\d+)">/g)].map((m) => m[1]);
    const page = renderHtml(runs);
    expect(sections(page)).toEqual([`run-${runs.length}`]);
    expect(page).toContain(`Drawn in full: 1 of ${runs.length} runs`);
    // Every run keeps its row in the index; only drawn runs link to a section.
    expect(/<table class="index">(.*?)<\/table>/s.exec(page)![1]!.match(/<tr><td>/g)).toHaveLength(runs.length);
    expect(page).not.toContain(`<a href="#run-1">`);
    expect(sections(renderHtml(runs, { timelines: ["shared/3"] }))).toEqual(["run-3", `run-${runs.length}`]);
    expect(sections(renderHtml(runs.slice(1)))).toHaveLength(ALL_TIMELINES_UP_TO);
  });
});
