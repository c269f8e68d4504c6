// The release matrix: release point × mode × scenario, from the runs of `wrh releases`, and the
// regressions in it (a guarantee the newest release breaks that an older release of the same mode
// kept). Pure: it reads run results, never a worker.
import { outcomeOf } from "../checkers/flips.ts";
import type { RunResult } from "../checkers/index.ts";
import { type BreakSignal, isBroken, isUnknown, type RunStatus } from "../checkers/verdict.ts";
import type { Topology } from "../history/scenario.ts";
import { escapeMarkup } from "./escape.ts";

/** One release point as the report names it (harness/releases/points.json). */
export interface ReleasePointInfo {
  name: string;
  worker: string;
  workerBuild: string;
  wasmBindgen: string;
  why: string;
  /** For a patched point, the unpatched point it is compared with. */
  base?: string;
}

/** What the runs of one scenario in one topology came to, at one point in one mode. */
export interface ReleaseCell {
  point: string;
  mode: string;
  scenario: string;
  topology: Topology;
  runs: number;
  /** The worst of its runs: error, then broken, then unknown, then holds. */
  status: RunStatus;
  /** The largest of its runs'. */
  blastRadius: number;
  /** Checkers that broke in some run, each with the first summary seen. */
  broken: Record<string, string>;
  /** For each broken checker, the finding it was attributed to (or NEW). */
  findings: Record<string, string>;
  /** The worst signal of its runs: a promise of upstream's broken, then NEW, then known only. */
  signal?: BreakSignal;
  /** Each distinct way its runs came out (more than one: the repeats disagreed, a flip). */
  outcomes: string[];
  /** Checkers that observed nothing in some run (and broke in none). */
  unknown: string[];
  /** The harness's own failures, by run id. */
  errors: string[];
  /**
   * Bytes of live heap the faulted isolate kept per fault (the largest of its runs'): what a
   * leak costs each fault. Absent where no run measured it.
   */
  heapBytesPerFault?: number;
}

export interface ReleaseMatrix {
  /** Oldest first; the last is the newest. */
  points: ReleasePointInfo[];
  modes: string[];
  cells: ReleaseCell[];
  /** Points that could not be built or run, with why: never a verdict. */
  failedPoints: Record<string, string>;
}

/** A guarantee the newest release breaks that an older release of the same mode kept (patched and source points are not releases). */
export interface Regression {
  mode: string;
  scenario: string;
  topology: Topology;
  checker: string;
  newest: string;
  /** Older points where the checker held. */
  keptBy: string[];
  evidence: string;
  /** The finding the break is attributed to at the newest point (NEW where none explains it). */
  finding?: string;
}

const WORST: readonly RunStatus[] = ["error", "broken", "unknown", "holds"];
const SIGNALS: readonly BreakSignal[] = ["regression", "new", "known"];

/** Folds the runs of one point into its cells (one per mode × scenario × topology). */
export function releaseCells(point: string, results: readonly RunResult[]): ReleaseCell[] {
  const cells = new Map<string, ReleaseCell>();
  for (const r of results) {
    const key = `${r.config.variant}\0${r.scenario}\0${r.config.topology}`;
    const cell = cells.get(key) ?? {
      point, mode: r.config.variant, scenario: r.scenario, topology: r.config.topology, runs: 0, status: "holds" as RunStatus,
      blastRadius: 0, broken: {}, findings: {}, outcomes: [], unknown: [], errors: [],
    };
    const outcome = outcomeOf(r);
    if (!cell.outcomes.includes(outcome)) cell.outcomes.push(outcome);
    if (r.signal && (!cell.signal || SIGNALS.indexOf(r.signal) < SIGNALS.indexOf(cell.signal))) cell.signal = r.signal;
    cell.runs++;
    if (WORST.indexOf(r.status) < WORST.indexOf(cell.status)) cell.status = r.status;
    cell.blastRadius = Math.max(cell.blastRadius, r.blastRadius);
    const perFault = r.heapBytesPerFault;
    if (perFault !== undefined) cell.heapBytesPerFault = Math.max(cell.heapBytesPerFault ?? perFault, perFault);
    for (const v of [...r.verdicts, ...(r.upstream ?? [])].filter(isBroken)) {
      cell.broken[v.checker] ??= v.summary;
      if (v.finding) cell.findings[v.checker] ??= v.finding;
    }
    for (const v of r.verdicts.filter(isUnknown)) if (!cell.unknown.includes(v.checker)) cell.unknown.push(v.checker);
    if (r.error) cell.errors.push(`${r.runId}: ${r.error}`);
    cells.set(key, cell);
  }
  for (const cell of cells.values()) cell.unknown = cell.unknown.filter((c) => !(c in cell.broken));
  return [...cells.values()];
}

const cellKey = (c: Pick<ReleaseCell, "mode" | "scenario" | "topology">) => `${c.mode}\0${c.scenario}\0${c.topology}`;

/**
 * The points that are releases, oldest first: a patched or source point (one with a base) is not
 * a release, so it is never the newest nor an older point; it is judged against its base.
 */
export function unpatchedPoints(matrix: ReleaseMatrix): ReleasePointInfo[] {
  return matrix.points.filter((p) => !p.base);
}

export function regressions(matrix: ReleaseMatrix): Regression[] {
  const releases = unpatchedPoints(matrix);
  const newest = releases.at(-1)?.name;
  if (!newest) return [];
  const older = releases.slice(0, -1).map((p) => p.name);
  const found: Regression[] = [];
  for (const cell of matrix.cells.filter((c) => c.point === newest)) {
    for (const [checker, evidence] of Object.entries(cell.broken)) {
      const keptBy = older.filter((point) => {
        const then = matrix.cells.find((c) => c.point === point && cellKey(c) === cellKey(cell));
        // Kept: judged (not an error) and neither broken nor unobserved for this checker.
        return then !== undefined && then.status !== "error" && !(checker in then.broken) && !then.unknown.includes(checker);
      });
      const finding = cell.findings[checker];
      if (keptBy.length) found.push({ mode: cell.mode, scenario: cell.scenario, topology: cell.topology, checker, newest, keptBy, evidence, ...(finding ? { finding } : {}) });
    }
  }
  return found;
}

/** Regressions of one root cause: the cells it shows in, and the oldest point where it shows at all. */
export interface RegressionGroup {
  finding: string;
  /** Regressed cells (mode × scenario × topology). */
  cells: number;
  checkers: string[];
  modes: string[];
  /** The oldest point any cell of the matrix shows the finding at. */
  from?: string;
}

/** `found` grouped by finding (the regressions with no finding under "NEW"), most cells first. */
export function groupRegressions(matrix: ReleaseMatrix, found: readonly Regression[]): RegressionGroup[] {
  const groups = new Map<string, RegressionGroup & { keys: Set<string> }>();
  for (const r of found) {
    for (const id of r.finding?.split("+") ?? ["NEW"]) {
      const group = groups.get(id) ?? { finding: id, cells: 0, checkers: [], modes: [], keys: new Set<string>() };
      group.keys.add(cellKey(r));
      if (!group.checkers.includes(r.checker)) group.checkers.push(r.checker);
      if (!group.modes.includes(r.mode)) group.modes.push(r.mode);
      groups.set(id, group);
    }
  }
  return [...groups.values()].map(({ keys, ...group }) => {
    const from = unpatchedPoints(matrix).find((p) => matrix.cells.some((c) => c.point === p.name && Object.values(c.findings).some((f) => f.split("+").includes(group.finding))))?.name;
    return { ...group, cells: keys.size, ...(from ? { from } : {}) };
  }).sort((a, b) => b.cells - a.cells);
}

/** A regression group in one line: "F7: 58 cells (recovery, fresh-instance; real-abort, real-unwind), from 0.8.5+0.2.125 on". */
export function regressionGroupLine(g: RegressionGroup): string {
  return `${g.finding}: ${g.cells} cell${g.cells === 1 ? "" : "s"} (${g.checkers.join(", ")}; ${g.modes.join(", ")})${g.from ? `, from ${g.from} on` : ""}`;
}

/** One regressed cell in one line. */
export function regressionLine(r: Regression): string {
  return `${r.mode} · ${r.scenario} (${r.topology}): ${r.finding ? `${r.finding} ` : ""}${r.checker} broken at ${r.newest}, kept by ${r.keptBy.join(", ")}: ${r.evidence}`;
}

/** One cell of a fix comparison: how it came out before (the base point) and after (the patched one). */
export interface CellChange {
  mode: string;
  scenario: string;
  topology: Topology;
  before: string;
  after: string;
}

/**
 * What a patched point changed against its base, cell by cell: broken cells that hold after the
 * fix, holding cells it broke, cells broken both times but differently, and the findings that
 * went or came. A cell the harness could not complete on either side is not compared.
 */
export interface FixComparison {
  base: string;
  patched: string;
  fixed: CellChange[];
  broke: CellChange[];
  changed: CellChange[];
  /** Cells judged on both sides. */
  compared: number;
  findingsGone: string[];
  findingsNew: string[];
}

const findingsOf = (cell: ReleaseCell): string[] =>
  [...new Set(Object.keys(cell.broken).flatMap((c) => cell.findings[c]?.split("+") ?? [CHECKER_CODES[c] ?? c]))].sort();

/** Which guarantees a cell broke, each with its finding: a fix that clears one of several is a change. */
const brokenAs = (cell: ReleaseCell): string => Object.keys(cell.broken).sort().map((c) => `${c}=${cell.findings[c] ?? ""}`).join(",");

export function compareFix(matrix: ReleaseMatrix, base: string, patched: string): FixComparison {
  const comparison: FixComparison = { base, patched, fixed: [], broke: [], changed: [], compared: 0, findingsGone: [], findingsNew: [] };
  const seen = { before: new Set<string>(), after: new Set<string>() };
  for (const after of matrix.cells.filter((c) => c.point === patched)) {
    const before = matrix.cells.find((c) => c.point === base && cellKey(c) === cellKey(after));
    if (!before || before.status === "error" || after.status === "error") continue;
    comparison.compared++;
    findingsOf(before).forEach((f) => seen.before.add(f));
    findingsOf(after).forEach((f) => seen.after.add(f));
    const change = { mode: after.mode, scenario: after.scenario, topology: after.topology, before: cellText(before), after: cellText(after) };
    const wasBroken = before.status === "broken";
    const isBrokenNow = after.status === "broken";
    if (wasBroken && !isBrokenNow) comparison.fixed.push(change);
    else if (!wasBroken && isBrokenNow) comparison.broke.push(change);
    else if (wasBroken && brokenAs(before) !== brokenAs(after)) comparison.changed.push(change);
  }
  comparison.findingsGone = [...seen.before].filter((f) => !seen.after.has(f));
  comparison.findingsNew = [...seen.after].filter((f) => !seen.before.has(f));
  return comparison;
}

/** The comparison as printed: a summary line, then one line per cell that changed. */
export function fixComparisonLines(c: FixComparison): string[] {
  const list = (ids: string[]) => ids.length ? ids.join(", ") : "none";
  const cell = (x: CellChange) => `${x.mode} · ${x.scenario} (${x.topology}): ${x.before} → ${x.after}`;
  return [
    `${c.base} → ${c.patched} (${c.compared} cells judged on both): ${c.fixed.length} broken → holds, ${c.broke.length} holds → broken, ` +
    `${c.changed.length} broken differently; findings gone: ${list(c.findingsGone)}; new: ${list(c.findingsNew)}`,
    ...c.fixed.map((x) => `  fixed   ${cell(x)}`),
    ...c.broke.map((x) => `  BROKE   ${cell(x)}`),
    ...c.changed.map((x) => `  changed ${cell(x)}`),
  ];
}

/** Cells whose repeats disagreed. */
export const flippedCells = (matrix: ReleaseMatrix): ReleaseCell[] => matrix.cells.filter((c) => c.outcomes.length > 1);

/** Short codes of the checkers, for table cells (the legend prints them). */
export const CHECKER_CODES: Record<string, string> = {
  classification: "C", "blast-radius": "B", liveness: "L", recovery: "R", "fresh-instance": "N", state: "S", "exactly-once": "X",
  integrity: "I", "abort-hook": "A", stack: "K", destructors: "D", resources: "M", "memory-growth": "G", "fault-surfaces": "O", handles: "H", "faithful-errors": "E", frames: "F",
  "upstream:fault": "Uf", "upstream:reset": "Ur", "upstream:later": "Ul", "upstream:in-flight": "Ui",
};

/**
 * A cell as the table prints it: `ok` (every guarantee held), `u` (none broke, some unobserved),
 * or the findings behind its breaks (the broken checkers' codes where none is attributed), `!`
 * before a promise of upstream's broken, `~` after a cell whose repeats disagreed, or ERR; then
 * the blast radius.
 */
export function cellText(cell: ReleaseCell | undefined): string {
  if (!cell) return "-";
  if (cell.status === "error") return "ERR";
  const findings = [...new Set(Object.keys(cell.broken).flatMap((c) => cell.findings[c]?.split("+") ?? [CHECKER_CODES[c] ?? c]))].join(",");
  const what = findings || (cell.status === "unknown" ? "u" : "ok");
  return `${cell.signal === "regression" ? "!" : ""}${what}${cell.outcomes.length > 1 ? "~" : ""} ${cell.blastRadius}`;
}

export const LEGEND = `ok = every guarantee held, u = none broke but some were not observed (not a pass), ERR = the harness could not complete a run; ` +
  `F1, F7, … = the findings behind the broken guarantees (docs/findings.md), NEW = a break no finding explains; ! = a promise of upstream's own tests broken; ` +
  `~ = the repeats disagreed (a flip); letters = broken guarantees with no finding attributed (reference builds) (${Object.entries(CHECKER_CODES).map(([name, code]) => `${code} ${name}`).join(", ")}); the number is the blast radius (the largest over repeats).`;

/** One table per mode: a row per scenario × topology, a column per point (oldest first). */
export function renderReleaseTable(matrix: ReleaseMatrix): string {
  const out: string[] = [];
  for (const mode of matrix.modes) {
    const cells = matrix.cells.filter((c) => c.mode === mode);
    if (cells.length === 0) continue;
    const points = matrix.points.filter((p) => cells.some((c) => c.point === p.name)).map((p) => p.name);
    const rows = [...new Map(cells.map((c) => [`${c.scenario} (${c.topology})`, c])).entries()];
    const header = [mode, ...points];
    const body = rows.map(([label, sample]) => [label, ...points.map((point) => cellText(cells.find((c) => c.point === point && cellKey(c) === cellKey(sample))))]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
    const line = (row: string[]) => row.map((text, i) => text.padEnd(widths[i]!)).join("  ").trimEnd();
    out.push(line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line), "");
  }
  for (const [point, why] of Object.entries(matrix.failedPoints)) out.push(`${point}: not judged: ${why}`);
  out.push(LEGEND);
  return out.join("\n");
}

const escape = escapeMarkup;

/** A self-contained HTML page of the same tables, each cell's evidence in its tooltip. */
export function renderReleaseHtml(matrix: ReleaseMatrix, found: readonly Regression[]): string {
  const colour = (cell: ReleaseCell | undefined) => !cell ? "#eee" : cell.status === "broken" ? "#f8c9c4" : cell.status === "error" ? "#e3c4f0" : cell.status === "unknown" ? "#fbeeb8" : "#c9ecc9";
  const tables = matrix.modes.map((mode) => {
    const cells = matrix.cells.filter((c) => c.mode === mode);
    if (cells.length === 0) return "";
    const points = matrix.points.filter((p) => cells.some((c) => c.point === p.name));
    const rows = [...new Map(cells.map((c) => [`${c.scenario} (${c.topology})`, c])).entries()];
    const head = `<tr><th>${escape(mode)}</th>${points.map((p) => `<th title="${escape(p.why)}">worker ${escape(p.worker)}<br>wasm-bindgen ${escape(p.wasmBindgen)}</th>`).join("")}</tr>`;
    const body = rows.map(([label, sample]) => `<tr><th>${escape(label)}</th>${points.map((p) => {
      const cell = cells.find((c) => c.point === p.name && cellKey(c) === cellKey(sample));
      const title = cell ? [...Object.entries(cell.broken).map(([k, v]) => `${k}: ${v}`), ...cell.errors, cell.unknown.length ? `not observed: ${cell.unknown.join(", ")}` : ""].filter(Boolean).join("\n") : "not run";
      return `<td style="background:${colour(cell)}" title="${escape(title)}">${escape(cellText(cell))}</td>`;
    }).join("")}</tr>`).join("\n");
    return `<h2>${escape(mode)}</h2><table>${head}\n${body}</table>`;
  }).join("\n");
  const regressionList = found.length
    ? `<ul>${groupRegressions(matrix, found).map((g) => `<li><b>${escape(regressionGroupLine(g))}</b><ul>${found.filter((r) => (r.finding ?? "NEW").split("+").includes(g.finding))
      .map((r) => `<li>${escape(regressionLine(r))}</li>`).join("")}</ul></li>`).join("")}</ul>`
    : "<p>None: the newest release breaks no guarantee an older release kept.</p>";
  const failed = Object.entries(matrix.failedPoints).map(([p, why]) => `<p>${escape(p)}: not judged: ${escape(why)}</p>`).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Release matrix</title><style>
body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-weight:normal}td{font-family:monospace}th{background:#f6f6f6}
</style></head><body><h1>Release matrix</h1><h2>Regressions</h2>${regressionList}${failed}${tables}<p>${escape(LEGEND)}</p></body></html>\n`;
}

/** A real bug report and where it lived (harness/releases/known-bugs.json). */
export interface KnownBug {
  id: string;
  title: string;
  mode: string;
  scenario: string;
  topology: Topology;
  /**
   * The checker that must break where the bug lives, with a summary containing `evidence`, and
   * at the fix either hold or break with a summary without it (another bug, named in the verdict).
   */
  checker: string;
  evidence: string;
  /**
   * For a leak whose checker may break for a smaller reason after the fix too: the live heap
   * kept per fault is above this many bytes where the bug lives and at most this where it was
   * fixed (ReleaseCell.heapBytesPerFault), whatever the checker says at the fix.
   */
  heapBytesPerFaultAbove?: number;
  lastAffected: string;
  fixedIn: string;
}

/** What the runs say of a known bug: present at its last affected point and gone at its fix, or why not. */
export interface KnownBugVerdict {
  bug: KnownBug;
  status: "present-then-fixed" | "not reproduced" | "not fixed" | "not observed";
  detail: string;
}

export function judgeKnownBugs(matrix: ReleaseMatrix, bugs: readonly KnownBug[]): KnownBugVerdict[] {
  return bugs.map((bug) => {
    const at = (point: string) => matrix.cells.find((c) => c.point === point && cellKey(c) === cellKey(bug));
    const before = at(bug.lastAffected);
    const after = at(bug.fixedIn);
    const where = (point: string) => `${point} ${bug.mode} ${bug.scenario} (${bug.topology})`;
    for (const [point, cell] of [[bug.lastAffected, before], [bug.fixedIn, after]] as const) {
      if (!cell) return { bug, status: "not observed", detail: `${where(point)} was not run${matrix.failedPoints[point] ? `: ${matrix.failedPoints[point]}` : ""}` };
      if (cell.status === "error") return { bug, status: "not observed", detail: `${where(point)}: the harness could not complete it: ${cell.errors[0]}` };
    }
    const summary = before!.broken[bug.checker];
    if (!summary?.includes(bug.evidence)) {
      return { bug, status: "not reproduced", detail: `${where(bug.lastAffected)}: ${bug.checker} ${summary ? `broke otherwise: ${summary}` : before!.unknown.includes(bug.checker) ? "observed nothing" : "held"}` };
    }
    const limit = bug.heapBytesPerFaultAbove;
    if (limit !== undefined) {
      const perFault = (cell: ReleaseCell) => (cell.heapBytesPerFault === undefined ? "not measured" : `${Math.round(cell.heapBytesPerFault)} B of heap kept per fault`);
      if (!(before!.heapBytesPerFault! > limit)) return { bug, status: "not reproduced", detail: `${where(bug.lastAffected)}: ${perFault(before!)}, not above ${limit} B` };
      if (after!.heapBytesPerFault === undefined) return { bug, status: "not observed", detail: `${where(bug.fixedIn)}: the heap was not measured` };
      if (after!.heapBytesPerFault > limit) return { bug, status: "not fixed", detail: `${where(bug.fixedIn)}: ${perFault(after!)}, above ${limit} B` };
      const rest = bug.checker in after!.broken ? ` (${bug.checker} still breaks, for less: ${after!.broken[bug.checker]})` : "";
      return { bug, status: "present-then-fixed", detail: `${where(bug.lastAffected)}: ${perFault(before!)}; ${bug.fixedIn}: ${perFault(after!)}${rest}` };
    }
    // Fixed: the bug's own evidence is gone. The checker may still break for another reason
    // (another bug), which the verdict names.
    const afterSummary = after!.broken[bug.checker];
    if (afterSummary?.includes(bug.evidence)) return { bug, status: "not fixed", detail: `${where(bug.fixedIn)}: ${bug.checker} still broken: ${afterSummary}` };
    if (!afterSummary && after!.unknown.includes(bug.checker)) return { bug, status: "not observed", detail: `${where(bug.fixedIn)}: ${bug.checker} observed nothing` };
    const now = afterSummary ? `${bug.checker} breaks otherwise: ${afterSummary}` : `${bug.checker} holds`;
    return { bug, status: "present-then-fixed", detail: `${where(bug.lastAffected)}: ${summary}; ${bug.fixedIn}: ${now}` };
  });
}
