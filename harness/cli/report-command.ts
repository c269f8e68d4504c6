// `wrh report`: judge a saved history again and re-render its reports. No worker runs, so this
// module imports only the checkers, the history and the reports: never the engine's matrix or
// runner, which load Miniflare (harness/cli/no-miniflare.unit.test.ts holds it to that).
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { judgeRun, type RunResult } from "../checkers/index.ts";
import { countRuns, exitStatus } from "../checkers/verdict.ts";
import type { ScenarioRun } from "../history/run.ts";
import type { MatrixResult } from "../checkers/index.ts";
import { historyRuns } from "../history/file.ts";
import { ALL_TIMELINES_UP_TO, drawnInFull, type HtmlOptions, renderHtml } from "../report/html.ts";
import { renderJson } from "../report/json.ts";
import { renderJunit } from "../report/junit.ts";
import { renderTable } from "../report/table.ts";
import { outputDir, shown, timestamp, writingInto } from "./output-dir.ts";
import { COMMAND_OPTIONS, pick, UsageError } from "./usage.ts";

export const REPORTS = ["json", "junit", "html"] as const;
export type ReportKind = (typeof REPORTS)[number];

export interface ReportOptions extends HtmlOptions {
  /** Files the command already wrote there (the history), named in the closing line. */
  written?: readonly string[];
  /** Known limitations of real builds fail (JUnit failures) as every other break does. */
  strict?: boolean;
}

/** Prints the table and writes the requested reports to `out`. */
export function writeReports(matrix: MatrixResult, out: string, reports: readonly ReportKind[], options: ReportOptions = {}): void {
  process.stdout.write(`${renderTable(matrix)}\n`);
  const render: Record<ReportKind, [string, () => string]> = {
    json: ["report.json", () => renderJson(matrix)],
    junit: ["junit.xml", () => renderJunit(matrix, { strict: options.strict })],
    html: ["report.html", () => renderHtml(matrix.results, options)],
  };
  const written = (options.written ?? []).filter((file) => existsSync(file));
  for (const kind of reports) {
    const [file, content] = render[kind];
    writeFileSync(join(out, file), content());
    written.push(join(out, file));
  }
  process.stderr.write(`wrh: wrote ${written.map(shown).join(", ")}\n`);
}

/**
 * Judges each run as it is read. Once the report is big enough to draw only some timelines,
 * the records of the others are let go: a history of thousands of runs is never all in memory.
 */
function judgeAll(runs: Iterable<ScenarioRun>, timelines: readonly string[]): RunResult[] {
  const results: RunResult[] = [];
  const release = (result: RunResult) => {
    if (result.history.records.length && !drawnInFull(result, results.length, timelines)) result.history = { ...result.history, records: [] };
  };
  for (const run of runs) {
    results.push(judgeRun(run));
    if (results.length === ALL_TIMELINES_UP_TO + 1) results.forEach(release);
    else if (results.length > ALL_TIMELINES_UP_TO) release(results.at(-1)!);
  }
  return results;
}

export async function reportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: COMMAND_OPTIONS.report,
  });
  if (positionals.length !== 1) throw new UsageError("wrh report takes one history file (history.jsonl from wrh run or wrh repro)");
  const file = resolve(positionals[0]!);
  const reports = pick(values.report, REPORTS, "report") ?? ["html"];
  const timelines = values.timeline ?? [];
  const started = performance.now();
  const results = judgeAll(historyRuns(positionals[0]!), timelines);
  const matrix: MatrixResult = {
    counts: countRuns(results), results, notes: [], durationMs: Math.round(performance.now() - started),
  };
  // Beside the history, in a folder of its own: the reports already there (repro's report.html)
  // stay as they were.
  const out = outputDir(values.out ?? join(dirname(file), `report-${timestamp()}`), "");
  return writingInto(out, async () => {
    writeReports(matrix, out, reports, { title: `wrh report ${positionals[0]}`, timelines, strict: values.strict });
    return exitStatus(matrix, false, values.strict);
  });
}
