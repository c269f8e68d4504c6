// The JSON report: every run with its configuration, verdicts, metrics and worker output. The
// records themselves are in the history file.
import type { MatrixResult } from "../checkers/index.ts";

export function renderJson(matrix: MatrixResult): string {
  return JSON.stringify({
    counts: matrix.counts,
    durationMs: matrix.durationMs,
    notes: matrix.notes,
    runs: matrix.results.map(({ history, ...run }) => ({ ...run, output: history.output })),
  }, null, 2);
}
