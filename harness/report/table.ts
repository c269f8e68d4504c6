// The terminal report: one row per run (scenario × build/strategy × topology), its verdict,
// blast radius and recovery latency; broken guarantees listed under the table with evidence.
import type { MatrixResult, RunResult } from "../engine/matrix.ts";

function configLabel(result: RunResult): string {
  const { variant, strategy, mutants } = result.config;
  return `${strategy} (${variant})${mutants.length ? ` +${mutants.join("+")}` : ""}`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

export function renderTable(matrix: MatrixResult): string {
  const header = ["scenario", "strategy (build)", "topology", "rep", "verdict", "blast", "recovery ms"];
  const rows = matrix.results.map((r) => [
    r.scenario,
    configLabel(r),
    r.config.topology,
    String(r.config.repeat),
    r.ok ? "pass" : `FAIL: ${r.verdicts.filter((v) => !v.ok).map((v) => v.checker).join(", ")}`,
    String(r.blastRadius),
    r.recoveryLatencyMs === undefined ? "-" : r.recoveryLatencyMs.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!)).join("  ").trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  const failures = matrix.results.filter((r) => !r.ok);
  if (failures.length) {
    out.push("", "Broken guarantees:");
    for (const r of failures) {
      for (const v of r.verdicts.filter((v) => !v.ok)) out.push(`  ${r.runId}: ${v.checker}: ${v.summary}`);
    }
  }
  for (const note of matrix.notes) out.push(`note: ${note}`);
  const passed = matrix.results.length - failures.length;
  out.push("", `${passed}/${matrix.results.length} runs hold every guarantee (${(matrix.durationMs / 1000).toFixed(1)} s)`);
  return out.join("\n");
}
