// The JSON report: every run with its configuration, verdicts, metrics and worker output. The
// records themselves are in the history file.
import type { MatrixResult } from "../checkers/index.ts";
import { flips, repeatedCells } from "../checkers/flips.ts";
import { findingGroups, optDifferences } from "./findings.ts";

export function renderJson(matrix: MatrixResult): string {
  const opt = optDifferences(matrix.results);
  return JSON.stringify({
    counts: matrix.counts,
    durationMs: matrix.durationMs,
    notes: matrix.notes,
    findings: findingGroups(matrix.results),
    ...(opt.compared ? { wasmOpt: opt } : {}),
    ...(repeatedCells(matrix.results) ? { repeatedCells: repeatedCells(matrix.results), flips: flips(matrix.results) } : {}),
    runs: matrix.results.map(({ history, ...run }) => ({ ...run, output: history.output })),
  }, null, 2);
}
