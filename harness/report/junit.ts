// JUnit XML for CI: one test suite per configuration, one test case per scenario run. A broken
// guarantee is a failure whose message names the checker and the evidence (and on a real build
// its finding); a real build's run that breaks only known limitations passes, as the exit code
// has it, with each break in its output (a failure under `strict`); a run whose
// guarantees could not all be observed (and none broke) is skipped, with the reason; a run the
// harness could not complete is an error.
import type { RunResult } from "../checkers/index.ts";
import type { MatrixResult } from "../checkers/index.ts";
import { isBroken, isUnknown } from "../checkers/verdict.ts";
import { escapeMarkup } from "./escape.ts";

const xml = escapeMarkup;

export function renderJunit(matrix: MatrixResult, { strict = false } = {}): string {
  const fails = (r: RunResult) => r.status === "broken" && (strict || r.signal !== "known");
  const suites = new Map<string, RunResult[]>();
  for (const r of matrix.results) {
    const { variant, strategy, topology, mutants } = r.config;
    const name = `${strategy}/${variant}/${topology}${mutants.length ? `/+${mutants.join("+")}` : ""}`;
    suites.set(name, [...(suites.get(name) ?? []), r]);
  }
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const count = (runs: RunResult[]) => {
    const of = (status: RunResult["status"]) => runs.filter((r) => r.status === status).length;
    return `tests="${runs.length}" failures="${runs.filter(fails).length}" errors="${of("error")}" skipped="${of("unknown")}"`;
  };
  out.push(`<testsuites name="wrh" ${count(matrix.results)} time="${matrix.durationMs / 1000}">`);
  for (const [name, runs] of suites) {
    out.push(`  <testsuite name="${xml(name)}" ${count(runs)}>`);
    for (const r of runs) {
      out.push(`    <testcase classname="${xml(name)}" name="${xml(`${r.scenario} #${r.config.repeat}`)}" time="${(r.durationMs / 1000).toFixed(3)}">`);
      const broken = [...r.verdicts, ...(r.upstream ?? [])].filter(isBroken).map((v) => ({
        type: v.finding ? `${v.finding} ${v.checker}` : v.checker,
        message: v.finding ? `${v.finding}: ${v.checker}: ${v.summary}` : v.summary,
      }));
      if (fails(r)) {
        for (const b of broken) out.push(`      <failure type="${xml(b.type)}" message="${xml(b.message)}">${xml(`${r.runId}: ${b.message}`)}</failure>`);
      } else if (broken.length) {
        out.push(`      <system-out>${xml(broken.map((b) => `known limitation ${b.message}`).join("\n"))}</system-out>`);
      }
      if (r.status === "unknown") {
        const why = r.verdicts.filter(isUnknown).map((v) => `${v.checker}: ${v.summary}`).join("; ");
        out.push(`      <skipped message="${xml(`not observed: ${why}`)}"/>`);
      }
      if (r.status === "error") out.push(`      <error type="harness" message="${xml(r.error ?? "")}">${xml(`${r.runId}: ${r.error}`)}</error>`);
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}
