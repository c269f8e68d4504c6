// The HTML report: one self-contained page (inline CSS, no script, no external resources) that
// shows each run as a timeline of its operations, with the fault and every change of Wasm
// instance generation marked, the checkers' verdicts, and the records that broke a guarantee in
// full. Meant to be opened from the file system, printed, or put side by side for two runs.
import { countRuns, isBroken, type Verdict } from "../checkers/verdict.ts";
import { verdictLabel } from "./table.ts";
import { findingGroups } from "./findings.ts";
import { NEW_FINDING } from "../checkers/findings.ts";
import type { RunResult } from "../checkers/index.ts";
import type { Expectation, Fault } from "../history/scenario.ts";
import { answered, type HistoryRecord } from "../history/record.ts";
import { escapeMarkup } from "./escape.ts";

export interface HtmlOptions {
  title?: string;
  /** Run ids (or parts of them) whose full timelines are drawn whatever their verdict. */
  timelines?: readonly string[];
}

/** Up to this many runs, every run is drawn in full; above it, see `drawnInFull`. */
export const ALL_TIMELINES_UP_TO = 24;

/**
 * Whether a report of `total` runs draws this one's timeline: all of them in a small report; in
 * a big one, the runs that broke or could not complete and those asked for by id, so a report
 * of thousands of runs stays small (the others are a row of the index; their records stay in
 * history.jsonl).
 */
export function drawnInFull(result: Pick<RunResult, "runId" | "status">, total: number, timelines: readonly string[] = []): boolean {
  return total <= ALL_TIMELINES_UP_TO || result.status === "broken" || result.status === "error" || timelines.some((id) => result.runId.includes(id));
}

/** Above this many lanes, operations of the same role, kind and outcome share a lane. */
export const MAX_LANES = 300;
/** Above this many markers of one kind, only the first is labelled (the lines are all drawn). */
const MAX_MARKER_LABELS = 6;

type Outcome = "ok" | "failed" | "wrong" | "lost";

const OUTCOME_NAMES: Record<Outcome, string> = {
  ok: "ok (200, data right)",
  failed: "failed (error response)",
  wrong: "wrong data (200, integrity wrong)",
  lost: "timeout or unreachable",
};

interface GenerationChange {
  from: number;
  to: number;
  /** Set when the run spans two isolates, whose generations count separately. */
  isolate?: string;
}

/** What the timeline and the lists need to know about one run, computed once. */
interface RunView {
  result: RunResult;
  /** Anchor prefix for this run's section and its operations. */
  anchor: string;
  /** Checkers that name each record as evidence. */
  evidence: Map<number, string[]>;
  changes: Map<number, GenerationChange>;
  /** Milliseconds the x axis covers. */
  spanMs: number;
}

interface Lane {
  key: string;
  records: HistoryRecord[];
}

const esc = escapeMarkup;

const opAnchor = (view: RunView, id: number) => `${view.anchor}-op-${id}`;
const ms = (value: number) => `${Number(value.toFixed(1))} ms`;
const percent = (value: number, view: RunView) => `${((value / view.spanMs) * 100).toFixed(3)}%`;

function outcomeOf(record: HistoryRecord): Outcome {
  if (record.status === "timeout" || record.status === "unreachable") return "lost";
  if (record.integrity === "wrong") return "wrong";
  return answered(record) ? "ok" : "failed";
}

function statusText(record: HistoryRecord): string {
  const parts = [String(record.status), record.errorClass, record.integrity === "wrong" ? "wrong data" : undefined];
  return parts.filter(Boolean).join(" ");
}

/**
 * Generation changes in completion order: an operation served by a higher generation than any
 * that completed before it in its isolate (each isolate counts its own generations).
 */
function generationChanges(records: readonly HistoryRecord[]): Map<number, GenerationChange> {
  const byEnd = [...records].sort((a, b) => a.end - b.end || a.id - b.id);
  const split = new Set(records.map((r) => r.isolate)).size > 1;
  const highest = new Map<string, number>();
  const changes = new Map<number, GenerationChange>();
  for (const record of byEnd) {
    if (record.generation === undefined) continue;
    const before = highest.get(record.isolate);
    if (before !== undefined && record.generation > before) {
      changes.set(record.id, { from: before, to: record.generation, isolate: split ? record.isolate : undefined });
    }
    highest.set(record.isolate, Math.max(before ?? 0, record.generation));
  }
  return changes;
}

function evidenceOf(result: RunResult): Map<number, string[]> {
  const checkers = new Map<number, string[]>();
  for (const verdict of result.verdicts) {
    for (const id of verdict.evidence) checkers.set(id, [...(checkers.get(id) ?? []), verdict.checker]);
  }
  return checkers;
}

// ---- lanes -------------------------------------------------------------------------------

/** Records that share a key may share a lane; evidence and generation changes stay apart. */
function laneKey(record: HistoryRecord, view: RunView): string {
  const evidence = view.evidence.get(record.id)?.join(",") ?? "";
  return [record.role, record.kind, record.isolate, statusText(record), evidence, view.changes.has(record.id) ? "generation" : ""].join("|");
}

function groupLanes(records: readonly HistoryRecord[], key: (r: HistoryRecord) => string, consecutive: boolean): Lane[] {
  const lanes: Lane[] = [];
  const byKey = new Map<string, Lane>();
  for (const record of records) {
    const k = key(record);
    const lane = consecutive ? (lanes.at(-1)?.key === k ? lanes.at(-1) : undefined) : byKey.get(k);
    if (lane) {
      lane.records.push(record);
    } else {
      const fresh = { key: k, records: [record] };
      lanes.push(fresh);
      byKey.set(k, fresh);
    }
  }
  return lanes;
}

/**
 * One lane per record while that stays readable; else runs of alike consecutive records share a
 * lane, and if that is still too many (a storm alternates faults and successes), all alike
 * records do. Every record is still drawn in its lane, so none is dropped.
 */
function lanesFor(view: RunView): { lanes: Lane[]; grouping?: string } {
  const records = [...view.result.history.records].sort((a, b) => a.id - b.id);
  if (records.length <= MAX_LANES) return { lanes: records.map((r) => ({ key: String(r.id), records: [r] })) };
  const key = (r: HistoryRecord) => laneKey(r, view);
  const consecutive = groupLanes(records, key, true);
  if (consecutive.length <= MAX_LANES) return { lanes: consecutive, grouping: "consecutive operations of the same role, kind and outcome share a lane" };
  return { lanes: groupLanes(records, key, false), grouping: "all operations of the same role, kind and outcome share a lane, placed at the first of them" };
}

// ---- the run's header ------------------------------------------------------------------------

function faultPromise(outcomes: Expectation["fault"]): string {
  const named = outcomes.map((o) => (o === "ok" ? "unnoticed (200)" : o));
  return `the fault ends as ${named.join(" or ")}`;
}

const INFLIGHT_PROMISES: Record<Expectation["inflight"], string> = {
  survive: "in-flight siblings survive with intact data",
  "fail-fast": "in-flight siblings fail fast with StaleInstance",
  poisoned: "in-flight siblings: no guarantee (poisoned)",
};

const LATER_PROMISES: Record<Expectation["later"], string> = {
  succeed: "later siblings succeed",
  poisoned: "later siblings: no guarantee (poisoned)",
};

function renderPromise(result: RunResult): string {
  const { strategy } = result.config;
  const expectation = result.history.scenario.expect[strategy];
  if (!expectation) return `<p class="promise">The scenario sets no expectation for strategy ${esc(strategy)}.</p>`;
  const promises = [
    faultPromise(expectation.fault),
    expectation.reset ? "the faulted isolate is reset (a new generation per fault)" : "no reset (the generation stays)",
    INFLIGHT_PROMISES[expectation.inflight],
    LATER_PROMISES[expectation.later],
  ];
  return `<p class="promise"><strong>${esc(strategy)} promises:</strong> ${promises.map(esc).join("; ")}.</p>`;
}

const RUN_BADGE: Record<RunResult["status"], string> = { holds: "pass", broken: "fail", unknown: "unobserved", error: "fail" };

function runBadge(result: RunResult): string {
  return `<span class="badge ${RUN_BADGE[result.status]}">${esc(verdictLabel(result))}</span>`;
}

function faultText(fault: Fault): string {
  const storm = fault.storm ? ` (storm: ${fault.storm.requests} requests, every ${fault.storm.every}th)` : "";
  return `${fault.kind}@${fault.place}${storm}`;
}

function renderHeader(view: RunView): string {
  const { result } = view;
  const { scenario } = result.history;
  const { variant, strategy, topology, mutants, repeat } = result.config;
  const facts: [string, string][] = [
    ["strategy", strategy],
    ["build", variant],
    ["topology", topology],
    ["repeat", String(repeat)],
    ["fault", faultText(scenario.fault)],
    ["blast radius", String(result.blastRadius)],
    ["recovery latency", result.recoveryLatencyMs === undefined ? "none (no later sibling succeeded)" : ms(result.recoveryLatencyMs)],
    ["operations", String(result.history.records.length)],
  ];
  if (mutants.length) facts.splice(4, 0, ["mutants", mutants.join(", ")]);
  if (result.history.client) facts.push(["client", result.history.client]);
  if (result.history.leftOut?.length) facts.push(["left out", result.history.leftOut.join("; ")]);
  return `<header>
<h2>${runBadge(result)} ${esc(scenario.name)}</h2>
<p class="run-id">${esc(result.runId)}</p>
<p class="description">${esc(scenario.description)}</p>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join("")}</dl>
${renderPromise(result)}
</header>`;
}

// ---- the timeline ----------------------------------------------------------------------------

/** Three to seven ticks at a round step (1, 2 or 5 × a power of ten) from 0 across the span. */
function ticks(spanMs: number): number[] {
  const rough = spanMs / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  return Array.from({ length: Math.floor(spanMs / step) + 1 }, (_, i) => i * step);
}

/** A label placed at `at`, kept inside the track near its right edge. */
function placed(className: string, at: number, view: RunView, html: string): string {
  const edge = at / view.spanMs > 0.8 ? " end" : "";
  return `<span class="${className}${edge}" style="left:${percent(at, view)}">${html}</span>`;
}

function markerLabels(marks: { at: number; text: string; href: string }[], view: RunView, noun: string): string {
  const shown = marks.length > MAX_MARKER_LABELS ? marks.slice(0, 1) : marks;
  const more = marks.length - shown.length;
  return shown.map((m, i) => placed("mark", m.at, view,
    `<a href="#${m.href}">${esc(m.text)}</a>${i === 0 && more ? ` <span class="more">(+${more} more ${noun})</span>` : ""}`)).join("");
}

interface Markers {
  faults: HistoryRecord[];
  changes: { record: HistoryRecord; change: GenerationChange }[];
}

function markersOf(view: RunView): Markers {
  const records = view.result.history.records;
  const changes = records.filter((r) => view.changes.has(r.id)).sort((a, b) => a.start - b.start)
    .map((record) => ({ record, change: view.changes.get(record.id)! }));
  return { faults: records.filter((r) => r.role === "fault"), changes };
}

const changeText = (c: GenerationChange) => `generation ${c.from} → ${c.to}${c.isolate ? ` (${c.isolate})` : ""}`;

function renderAxisRow(view: RunView, markers: Markers): string {
  const faultMarks = markers.faults.map((r) => ({ at: r.start, text: `fault #${r.id}`, href: opAnchor(view, r.id) }));
  const changeMarks = markers.changes.map(({ record, change }) => ({ at: record.start, text: changeText(change), href: opAnchor(view, record.id) }));
  const tickLabels = ticks(view.spanMs).map((t) => placed("tick", t, view, esc(ms(t)))).join("");
  return `<div class="lane axis"><div class="label">operation (id, role, kind → status)</div><div class="track">
<div class="marks faults">${markerLabels(faultMarks, view, "faults")}</div>
<div class="marks generations">${markerLabels(changeMarks, view, "changes")}</div>
<div class="ticks">${tickLabels}</div></div></div>`;
}

/** Vertical lines across every lane: grid ticks, each fault's window, each generation change. */
function renderOverlay(view: RunView, markers: Markers): string {
  const line = (className: string, at: number) => `<span class="${className}" style="left:${percent(at, view)}"></span>`;
  // A storm has hundreds of faults and resets: full-strength lines would hide the bars.
  const dense = (count: number) => (count > MAX_MARKER_LABELS ? " dense" : "");
  const grid = ticks(view.spanMs).map((t) => line("gridline", t));
  const faults = markers.faults.map((r) =>
    `<span class="fault-window${dense(markers.faults.length)}" style="left:${percent(r.start, view)};width:${percent(r.end - r.start, view)}"></span>`);
  const changes = markers.changes.map(({ record }) => line(`generation-line${dense(markers.changes.length)}`, record.start));
  return `<div class="overlay" aria-hidden="true">${[...grid, ...faults, ...changes].join("")}</div>`;
}

function barTitle(record: HistoryRecord, view: RunView): string {
  const parts = [
    `#${record.id} ${record.role} ${record.kind} ${record.path}`,
    `${ms(record.start)} → ${ms(record.end)} (${ms(record.end - record.start)})`,
    `→ ${statusText(record)}`,
    record.generation === undefined ? "" : `generation ${record.generation}`,
    record.message ? `message: ${record.message}` : "",
    view.evidence.has(record.id) ? `evidence for ${view.evidence.get(record.id)!.join(", ")}` : "",
  ];
  return parts.filter(Boolean).join("\n");
}

function renderBar(record: HistoryRecord, view: RunView): string {
  const classes = ["bar", outcomeOf(record), view.evidence.has(record.id) ? "evidence" : ""].filter(Boolean).join(" ");
  return `<span class="${classes}" id="${opAnchor(view, record.id)}" style="left:${percent(record.start, view)};width:${percent(record.end - record.start, view)}" title="${esc(barTitle(record, view))}"></span>`;
}

function laneLabel(lane: Lane, view: RunView): string {
  const first = lane.records[0]!;
  const last = lane.records.at(-1)!;
  const ids = lane.records.length === 1 ? `#${first.id}` : `#${first.id}–#${last.id} ×${lane.records.length}`;
  const change = view.changes.get(first.id);
  const checkers = view.evidence.get(first.id);
  const tags = [
    change ? `<span class="tag generation">${lane.records.length === 1 ? `gen ${change.from}→${change.to}` : "new generation"}</span>` : "",
    checkers ? `<span class="tag evidence">${esc(checkers.join(", "))}</span>` : "",
  ].join("");
  // Under split topology the same kind runs in either isolate, and only one of them faulted.
  const isolate = view.result.config.topology === "split" ? ` (${first.isolate})` : "";
  const text = `${ids} ${first.role} ${first.kind}${isolate} → ${statusText(first)}`;
  return `<div class="label" title="${esc(text)}"><span class="text">${esc(text)}</span>${tags}</div>`;
}

function renderLane(lane: Lane, view: RunView): string {
  const first = lane.records[0]!;
  const classes = ["lane", first.role === "fault" ? "fault" : "", view.evidence.has(first.id) ? "evidence" : "", view.changes.has(first.id) ? "generation" : ""];
  return `<div class="${classes.filter(Boolean).join(" ")}">${laneLabel(lane, view)}<div class="track">${lane.records.map((r) => renderBar(r, view)).join("")}</div></div>`;
}

function renderLegend(): string {
  const swatches = (Object.keys(OUTCOME_NAMES) as Outcome[])
    .map((o) => `<li><span class="swatch bar ${o}"></span>${esc(OUTCOME_NAMES[o])}</li>`);
  return `<ul class="legend">${swatches.join("")}
<li><span class="swatch bar ok evidence"></span>evidence for a broken guarantee</li>
<li><span class="swatch fault-window"></span>fault (its lane and its start → end)</li>
<li><span class="swatch generation-line"></span>first operation served by a new generation</li></ul>`;
}

function renderTimeline(view: RunView): string {
  const records = view.result.history.records;
  if (records.length === 0) return `<p class="empty">No operations were recorded.</p>`;
  const { lanes, grouping } = lanesFor(view);
  const markers = markersOf(view);
  const note = grouping ? `<p class="note">${records.length} operations in ${lanes.length} lanes: ${esc(grouping)}. Every operation is drawn.</p>` : "";
  return `${note}<div class="timeline">
${renderAxisRow(view, markers)}
${renderOverlay(view, markers)}
${lanes.map((lane) => renderLane(lane, view)).join("\n")}
</div>
${renderLegend()}`;
}

// ---- verdicts, evidence, operations, output ---------------------------------------------------

function evidenceLinks(ids: readonly number[], view: RunView): string {
  return ids.map((id) => `<a href="#${opAnchor(view, id)}">#${id}</a>`).join(", ");
}

/** A guarantee the worker gave no way to observe is not a pass, so it gets its own badge. */
const VERDICT_BADGE: Record<Verdict["status"], string> = {
  holds: `<span class="badge pass">holds</span>`,
  broken: `<span class="badge fail">broken</span>`,
  unknown: `<span class="badge unobserved">unknown (not observed)</span>`,
};

function renderVerdicts(view: RunView): string {
  if (view.result.status === "error") return `<p class="broken">The harness could not complete this run: ${esc(view.result.error)}. Nothing was judged.</p>`;
  // A real build's run is judged twice: against the contract and against upstream's own promises.
  const rows = [...view.result.verdicts, ...(view.result.upstream ?? [])].map((v) => `<tr class="${v.status === "broken" ? "broken" : "holds"}">
<td>${esc(v.checker)}</td><td>${VERDICT_BADGE[v.status]}</td><td>${esc(v.finding ?? "")}</td>
<td>${esc(v.summary)}</td><td>${evidenceLinks(v.evidence, view)}</td></tr>`);
  return `<table class="verdicts"><thead><tr><th>checker</th><th>verdict</th><th>finding</th><th>summary</th><th>evidence</th></tr></thead>
<tbody>${rows.join("")}</tbody></table>`;
}

function renderRecord(record: HistoryRecord, view: RunView): string {
  const fields: [string, unknown][] = [
    ["path", record.path],
    ["isolate", record.isolate],
    ["time", `${ms(record.start)} → ${ms(record.end)}`],
    ["status", record.status],
    ["error class", record.errorClass],
    ["message", record.message],
    ["generation", record.generation],
    ["integrity", record.integrity],
  ];
  const rows = fields.filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`);
  const body = record.body ? `<pre class="body">${esc(JSON.stringify(record.body, null, 2))}</pre>` : "";
  return `<li><a href="#${opAnchor(view, record.id)}">#${record.id}</a> ${esc(record.role)} ${esc(record.kind)}<div class="fields"><dl>${rows.join("")}</dl>${body}</div></li>`;
}

function renderEvidence(view: RunView): string {
  const broken = [...view.result.verdicts, ...(view.result.upstream ?? [])].filter(isBroken);
  if (broken.length === 0) return `<p class="empty">No guarantee broke; nothing to show.</p>`;
  const byId = new Map(view.result.history.records.map((r) => [r.id, r]));
  return broken.map((v) => {
    const records = v.evidence.map((id) => byId.get(id)).filter((r) => r !== undefined);
    const list = records.length ? `<ol class="records">${records.map((r) => renderRecord(r, view)).join("")}</ol>` : `<p class="empty">No records named.</p>`;
    return `<section class="broken"><h4>${v.finding ? `${esc(v.finding)} · ` : ""}${esc(v.checker)}: ${esc(v.summary)}</h4>${list}</section>`;
  }).join("\n");
}

function renderOperations(view: RunView): string {
  const head = ["id", "role", "kind", "isolate", "path", "start", "end", "status", "error", "gen", "integrity", "message", "body"];
  const rows = view.result.history.records.map((r) => {
    const cells = [r.role, r.kind, r.isolate, r.path, r.start, r.end, r.status, r.errorClass, r.generation, r.integrity, r.message, r.body && JSON.stringify(r.body)];
    const marked = view.evidence.has(r.id) ? ` class="evidence"` : "";
    return `<tr${marked}><td><a href="#${opAnchor(view, r.id)}">#${r.id}</a></td>${cells.map((c) => `<td>${esc(c ?? "")}</td>`).join("")}</tr>`;
  });
  return `<details><summary>All ${view.result.history.records.length} operations</summary>
<table class="operations"><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${rows.join("\n")}</tbody></table></details>`;
}

function renderOutput(view: RunView): string {
  const output = view.result.history.output;
  const lines = output ? output.split("\n").filter(Boolean).length : 0;
  return `<details><summary>Worker output (${lines} lines)</summary>${output ? `<pre class="output">${esc(output)}</pre>` : `<p class="empty">The worker printed nothing.</p>`}</details>`;
}

function renderRun(view: RunView): string {
  return `<section class="run" id="${view.anchor}">
${renderHeader(view)}
<h3>Timeline <span class="sub">x: ms since the run started, 0–${esc(ms(view.spanMs))}</span></h3>
${renderTimeline(view)}
<h3>Checker verdicts</h3>
${renderVerdicts(view)}
<h3>Evidence</h3>
${renderEvidence(view)}
${renderOperations(view)}
${renderOutput(view)}
</section>`;
}

function renderIndex(views: readonly RunView[], drawn: ReadonlySet<RunView>): string {
  const rows = views.map((view) => {
    const r = view.result;
    return `<tr><td>${drawn.has(view) ? `<a href="#${view.anchor}">${esc(r.scenario)}</a>` : esc(r.scenario)}</td>
<td>${esc(r.config.strategy)} (${esc(r.config.variant)})${r.config.mutants.length ? ` +${esc(r.config.mutants.join("+"))}` : ""}</td>
<td>${esc(r.config.topology)}</td><td>${r.config.repeat}</td>
<td>${runBadge(r)}</td>
<td>${r.blastRadius}</td><td>${r.recoveryLatencyMs === undefined ? "–" : esc(ms(r.recoveryLatencyMs))}</td></tr>`;
  });
  return `<nav><table class="index"><thead><tr><th>scenario</th><th>strategy (build)</th><th>topology</th><th>rep</th><th>verdict</th><th>blast</th><th>recovery</th></tr></thead>
<tbody>${rows.join("")}</tbody></table></nav>`;
}

/** The root causes behind the real builds' breaks, each once (docs/findings.md). */
function renderFindings(results: readonly RunResult[]): string {
  const groups = findingGroups(results);
  if (!groups.length) return "";
  const items = groups.map((g) => `<li><b>${esc(g.id)}</b> ${esc(g.title ?? (g.id === NEW_FINDING ? "no finding explains it: it fails the run" : ""))}: ` +
    `${g.runs} run${g.runs === 1 ? "" : "s"} in ${g.cells} cell${g.cells === 1 ? "" : "s"}; breaks ${esc(g.checkers.join(", "))}</li>`);
  return `<h2>Findings on real builds</h2><ul class="findings">${items.join("")}</ul>`;
}

/** Two runs of one scenario are there to be compared, so they share one time scale. */
const comparedPair = (results: readonly RunResult[]) => results.length === 2 && results[0]!.scenario === results[1]!.scenario;

function spans(results: readonly RunResult[]): number[] {
  const own = results.map((r) => r.history.records.reduce((end, rec) => Math.max(end, rec.end), 1));
  return comparedPair(results) ? own.map(() => Math.max(...own)) : own;
}

/**
 * One HTML document for `results`: an index when there are several, then each run drawn in
 * full (`drawnInFull`).
 */
export function renderHtml(results: readonly RunResult[], options: HtmlOptions = {}): string {
  const span = spans(results);
  const views: RunView[] = results.map((result, i) => ({
    result, anchor: `run-${i + 1}`, evidence: evidenceOf(result), changes: generationChanges(result.history.records), spanMs: span[i]!,
  }));
  const drawn = new Set(views.filter((v) => drawnInFull(v.result, results.length, options.timelines)));
  const counts = countRuns(results);
  const title = options.title ?? (results.length === 1 ? `wrh: ${results[0]!.runId}` : `wrh: ${results.length} runs`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><h1>${esc(title)}</h1>
<p class="summary">${results.length} runs: ${counts.holds} hold, ${counts.broken} broken, ${counts.unknown} unknown (not observed, not a pass)${counts.error ? `, ${counts.error} harness errors` : ""}.${comparedPair(results) ? " Both timelines share one time scale." : ""}</p>
${renderFindings(results)}
${drawn.size < views.length ? `<p class="note">Drawn in full: ${drawn.size} of ${views.length} runs (the broken, the harness errors and those asked for with --timeline); the others are a row of the index, and their records are in history.jsonl.</p>` : ""}
${results.length > 1 ? renderIndex(views, drawn) : ""}
${[...drawn].map(renderRun).join("\n")}
</body></html>
`;
}

const STYLE = `
:root { --label: 22rem; --lane: 15px; --ok: #2f9e44; --failed: #e03131; --wrong: #9c36b5; --lost: #495057;
  --fault: #f76707; --generation: #1971c2; --evidence: #f59f00; --line: #dee2e6; --muted: #6c757d;
  color-scheme: light; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
@media (max-width: 900px) { :root { --label: 17rem; } }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #212529; margin: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 0; }
h3 { font-size: 1rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 .sub { font-weight: normal; color: var(--muted); font-size: .85rem; }
h4 { font-size: .9rem; margin: .75rem 0 .25rem; }
a { color: var(--generation); }
pre, code, .run-id, .label, .operations, .records dd { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.summary, .run-id, .note, .empty { color: var(--muted); }
.run { border-top: 3px solid #343a40; margin-top: 2rem; padding-top: 1rem; }
.run-id { font-size: .8rem; margin: .1rem 0; }
.description { margin: .25rem 0 .5rem; font-size: 1rem; }
.facts { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: .5rem 0; }
.facts div { display: flex; gap: .4rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; }
.promise { background: #f1f3f5; padding: .4rem .6rem; border-radius: 4px; margin: .5rem 0; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 3px; font-weight: 700; font-size: .85em; color: #fff; }
.badge.pass { background: var(--ok); }
.badge.fail { background: var(--failed); }
.badge.unobserved { background: var(--muted); }
table { border-collapse: collapse; }
.verdicts { width: 100%; }
th, td { text-align: left; padding: .2rem .6rem .2rem 0; vertical-align: top; border-bottom: 1px solid var(--line); }
th { font-weight: 600; color: var(--muted); }
.verdicts tr.broken td { background: #fff5f5; }
.timeline { position: relative; font-size: 11px; }
.lane { display: grid; grid-template-columns: var(--label) 1fr; height: var(--lane); align-items: center; }
.lane:nth-child(even of .lane:not(.axis)) { background: #f8f9fa; }
.lane.fault { background: #fff4e6; }
.lane.fault .label { font-weight: 700; box-shadow: inset 3px 0 var(--fault); }
.lane.evidence .label .text { background: #fff3bf; }
.label { display: flex; gap: .3rem; white-space: nowrap; overflow: hidden; padding: 0 .4rem 0 .3rem; line-height: var(--lane); }
.label .text { overflow: hidden; text-overflow: ellipsis; }
.tag { border-radius: 3px; padding: 0 .25rem; font-size: 10px; line-height: 13px; align-self: center; color: #fff; }
.tag.generation { background: var(--generation); }
.tag.evidence { background: var(--evidence); color: #000; }
.track { position: relative; height: 100%; }
.bar { position: absolute; top: 3px; bottom: 3px; min-width: 3px; border-radius: 2px; z-index: 1; }
.bar.ok { background: var(--ok); }
.bar.failed { background: var(--failed); }
.bar.wrong { background: var(--wrong); }
.bar.lost { background: repeating-linear-gradient(135deg, var(--lost) 0 3px, #adb5bd 3px 6px); }
.bar.evidence { outline: 2px solid #000; outline-offset: 1px; z-index: 2; }
.bar:target { outline: 3px solid var(--evidence); outline-offset: 2px; }
/* A link to an operation must not leave its lane under the sticky axis. */
.bar { scroll-margin-top: 5rem; }
.axis { height: auto; position: sticky; top: 0; z-index: 3; background: #fff; border-bottom: 1px solid #adb5bd; align-items: end; }
.axis .label { color: var(--muted); line-height: 1.3; }
.axis .track { height: 3.9em; }
.marks, .ticks { position: absolute; left: 0; right: 0; height: 1.3em; }
.marks.faults { top: 0; }
.marks.generations { top: 1.3em; }
.ticks { top: 2.6em; color: var(--muted); }
.mark, .tick { position: absolute; white-space: nowrap; padding-left: 3px; border-left: 1px solid; }
.mark.end, .tick.end { transform: translateX(-100%); border-left: 0; border-right: 1px solid; padding: 0 3px 0 0; }
.faults .mark, .faults .mark a { color: var(--fault); font-weight: 700; }
.generations .mark, .generations .mark a { color: var(--generation); font-weight: 700; }
.mark .more { font-weight: normal; color: var(--muted); }
.overlay { position: absolute; top: 0; bottom: 0; left: var(--label); right: 0; pointer-events: none; }
.gridline, .generation-line, .fault-window { position: absolute; top: 0; bottom: 0; }
.gridline { border-left: 1px solid var(--line); }
.fault-window { min-width: 2px; background: rgba(247, 103, 7, .12); border-left: 2px solid var(--fault); border-right: 2px solid var(--fault); box-sizing: border-box; }
.generation-line { border-left: 2px dashed var(--generation); }
.fault-window.dense { border-width: 0 0 0 1px; opacity: .5; }
.generation-line.dense { border-left: 1px solid var(--generation); opacity: .35; }
.legend { display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; list-style: none; padding: 0; margin: .6rem 0 0; font-size: 12px; }
.legend li { display: flex; align-items: center; gap: .35rem; }
.swatch { display: inline-block; position: static; width: 1.4rem; height: .7rem; }
.swatch.generation-line { width: 0; height: .9rem; }
.records { padding-left: 1.2rem; }
.records li { margin-bottom: .6rem; }
.records .fields { display: flex; flex-wrap: wrap; gap: 0 1.5rem; align-items: start; }
.records dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 .8rem; margin: .2rem 0; flex: 1 1 22rem; }
.records pre { flex: 1 1 22rem; }
.records dt { color: var(--muted); }
.records dd { margin: 0; word-break: break-word; }
pre { background: #f8f9fa; border: 1px solid var(--line); padding: .4rem .6rem; overflow-x: auto; font-size: 12px; margin: .2rem 0; white-space: pre-wrap; word-break: break-word; }
details { margin: .6rem 0; }
summary { cursor: pointer; font-weight: 600; }
.operations { font-size: 11px; }
.operations td { padding-right: .5rem; white-space: nowrap; }
.operations td:last-child, .operations td:nth-last-child(2) { white-space: normal; word-break: break-word; }
.operations tr.evidence td { background: #fff3bf; }
@media print { .axis { position: static; } .run { break-before: page; } .lane { break-inside: avoid; } }
`;
