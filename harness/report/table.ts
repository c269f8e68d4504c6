// The terminal report: one row per run (scenario × build/strategy × topology), its verdict,
// blast radius and recovery latency; under the table, broken guarantees with their evidence,
// guarantees that could not be observed (never a pass), and runs the harness could not complete.
import type { RunResult } from "../checkers/index.ts";
import type { MatrixResult } from "../checkers/index.ts";
import { isBroken, isUnknown, type Verdict } from "../checkers/verdict.ts";
import { findingIds, NEW_FINDING } from "../checkers/findings.ts";
import { findingGroups, findingLines, flipLines, optLines, upstreamLines } from "./findings.ts";
import { duration } from "../duration.ts";

function configLabel(result: RunResult): string {
  const { variant, strategy, mutants } = result.config;
  return `${strategy} (${variant})${mutants.length ? ` +${mutants.join("+")}` : ""}`;
}

/**
 * What broke, for the verdict cell: the checkers concerned, or on a real build what a maintainer
 * acts on: a promise of upstream's broken (REGRESSION), a break no finding explains (NEW), and
 * the findings behind the rest (known limitations, by id).
 */
function brokenLabel(r: RunResult): string {
  const broken = r.verdicts.filter(isBroken);
  if (!r.signal) return `BROKEN: ${broken.map((v) => v.checker).join(", ")}`;
  const ids = (v: Verdict) => findingIds(v);
  const known = [...new Set(broken.flatMap(ids).filter((id) => id !== NEW_FINDING))];
  const unexplained = broken.filter((v) => ids(v).includes(NEW_FINDING));
  const parts = [
    r.signal === "regression" ? `REGRESSION: ${r.upstream!.filter(isBroken).map((v) => v.checker).join(", ")}` : "",
    unexplained.length ? `NEW: ${unexplained.map((v) => v.checker).join(", ")}` : "",
    known.length ? `known: ${known.join(", ")}` : "",
  ].filter(Boolean);
  return parts.join("; ");
}

/** The verdict cell: holds, BROKEN / unknown with the checkers concerned (findings on real builds), or the harness's error. */
export function verdictLabel(r: RunResult): string {
  const named = (status: "broken" | "unknown") => r.verdicts.filter((v) => v.status === status).map((v) => v.checker).join(", ");
  switch (r.status) {
    case "holds": return "holds";
    case "broken": return `${brokenLabel(r)}${r.verdicts.some(isUnknown) ? `; unknown: ${named("unknown")}` : ""}`;
    case "unknown": return `unknown: ${named("unknown")}`;
    case "error": return "HARNESS ERROR";
  }
}

/** The closing line: runs counted by outcome. */
export function summaryLine(matrix: MatrixResult): string {
  const { holds, broken, unknown, error } = matrix.counts;
  const signals = ["regression", "new", "known"].map((signal) => [signal, matrix.results.filter((r) => r.status === "broken" && r.signal === signal).length] as const);
  const real = signals.filter(([, n]) => n > 0).map(([signal, n]) => `${n} ${signal === "known" ? "known limitation only" : signal === "new" ? "NEW" : "upstream regression"}`);
  const parts = [`${holds} hold`, `${broken} broken${real.length ? ` (${real.join(", ")})` : ""}`, `${unknown} unknown (not observed, not a pass)`];
  if (error) parts.push(`${error} harness error${error === 1 ? "" : "s"}`);
  return `${matrix.results.length} runs: ${parts.join(", ")} (${duration(matrix.durationMs)})`;
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
    verdictLabel(r),
    String(r.blastRadius),
    r.recoveryLatencyMs === undefined ? "-" : r.recoveryLatencyMs.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!)).join("  ").trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  const broken = matrix.results.flatMap((r) => [...r.verdicts, ...(r.upstream ?? [])].filter(isBroken)
    .map((v) => `  ${r.runId}: ${v.finding ? `[${v.finding}] ` : ""}${v.checker}: ${v.summary}`));
  if (broken.length) out.push("", "Broken guarantees:", ...broken);
  out.push(...upstreamLines(matrix.results), ...findingLines(findingGroups(matrix.results)), ...flipLines(matrix.results), ...optLines(matrix.results));
  // The same guarantee unseen for the same reason in many runs is one line.
  const unseen = new Map<string, number>();
  for (const v of matrix.results.flatMap((r) => r.verdicts.filter(isUnknown))) {
    const key = `${v.checker}: ${v.summary}`;
    unseen.set(key, (unseen.get(key) ?? 0) + 1);
  }
  if (unseen.size) out.push("", "Not observed (unknown, not a pass):", ...[...unseen].map(([what, n]) => `  ${what} (${n} run${n === 1 ? "" : "s"})`));
  const errors = matrix.results.filter((r) => r.status === "error");
  if (errors.length) out.push("", "Harness errors (the harness failed, not the worker):", ...errors.map((r) => `  ${r.runId}: ${r.error}`));
  for (const note of matrix.notes) out.push(`note: ${note}`);
  out.push("", summaryLine(matrix));
  return out.join("\n");
}
