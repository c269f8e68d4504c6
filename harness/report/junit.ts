// JUnit XML for CI: one test suite per configuration, one test case per scenario run; a broken
// guarantee is a failure whose message names the checker and the evidence.
import type { MatrixResult, RunResult } from "../engine/matrix.ts";

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

export function renderJunit(matrix: MatrixResult): string {
  const suites = new Map<string, RunResult[]>();
  for (const r of matrix.results) {
    const { variant, strategy, topology, mutants } = r.config;
    const name = `${strategy}/${variant}/${topology}${mutants.length ? `/+${mutants.join("+")}` : ""}`;
    suites.set(name, [...(suites.get(name) ?? []), r]);
  }
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = matrix.results.filter((r) => !r.ok).length;
  out.push(`<testsuites name="wrh" tests="${matrix.results.length}" failures="${failures}" time="${matrix.durationMs / 1000}">`);
  for (const [name, runs] of suites) {
    out.push(`  <testsuite name="${xml(name)}" tests="${runs.length}" failures="${runs.filter((r) => !r.ok).length}">`);
    for (const r of runs) {
      const records = r.history.records;
      const seconds = records.length ? (records.at(-1)!.end - records[0]!.start) / 1000 : 0;
      out.push(`    <testcase classname="${xml(name)}" name="${xml(`${r.scenario} #${r.config.repeat}`)}" time="${seconds.toFixed(3)}">`);
      for (const v of r.verdicts.filter((v) => !v.ok)) {
        out.push(`      <failure type="${xml(v.checker)}" message="${xml(v.summary)}">${xml(`${r.runId}: ${v.summary}`)}</failure>`);
      }
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}
