// `wrh report`: judge a saved history again and re-render its reports. No worker runs, so this
// module imports only the checkers, the history and the reports: never the engine's matrix or
// runner, which load Miniflare (harness/cli/no-miniflare.unit.test.ts holds it to that).
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { judgeRun } from "../checkers/index.ts";
import { countRuns, exitStatus } from "../checkers/verdict.ts";
import type { MatrixResult } from "../engine/matrix.ts";
import { readHistory } from "../history/record.ts";
import { renderHtml } from "../report/html.ts";
import { renderJson } from "../report/json.ts";
import { renderJunit } from "../report/junit.ts";
import { renderTable } from "../report/table.ts";
import { outputDir, shown, timestamp, writingInto } from "./output-dir.ts";
import { COMMAND_OPTIONS, pick, UsageError } from "./usage.ts";

export const REPORTS = ["json", "junit", "html"] as const;
export type ReportKind = (typeof REPORTS)[number];

/** Prints the table and writes the requested reports to `out`; `written` lists files already there. */
export function writeReports(matrix: MatrixResult, out: string, reports: readonly ReportKind[], written: string[], title?: string): void {
  process.stdout.write(`${renderTable(matrix)}\n`);
  const render: Record<ReportKind, [string, () => string]> = {
    json: ["report.json", () => renderJson(matrix)],
    junit: ["junit.xml", () => renderJunit(matrix)],
    html: ["report.html", () => renderHtml(matrix.results, { title })],
  };
  for (const kind of reports) {
    const [file, content] = render[kind];
    writeFileSync(join(out, file), content());
    written.push(join(out, file));
  }
  process.stderr.write(`wrh: wrote ${written.map(shown).join(", ")}\n`);
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
  const started = performance.now();
  const results = readHistory(positionals[0]!).map(judgeRun);
  const matrix: MatrixResult = {
    counts: countRuns(results), results, notes: [], durationMs: Math.round(performance.now() - started),
  };
  // Beside the history, in a folder of its own: the reports already there (repro's report.html)
  // stay as they were.
  const out = outputDir(values.out ?? join(dirname(file), `report-${timestamp()}`), "");
  return writingInto(out, async () => {
    writeReports(matrix, out, reports, [], `wrh report ${positionals[0]}`);
    return exitStatus(matrix);
  });
}
