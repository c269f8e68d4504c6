// Mutation score of the catalog on the real workers-rs runtime: each mutant of
// harness/mutants/real-glue.ts puts one bug class back into a real build's shim, glue or .wasm,
// and the catalog must catch it.
//
// A real build already breaks guarantees unmutated (docs/findings.md), so "a run is broken"
// proves nothing here. A mutant is caught only when a run of it breaks a checker that the same
// scenario on the same unmutated build does not break in either of two unmutated runs made by
// this test.
//
// Scenarios are tried in the shared topology, the mutant's likely catchers first, then the
// catalog in order; the first catch ends the search. A run the harness could not complete is
// not a catch and fails the test. A mutant that escapes fails the test unless
// scenarios/real-mutant-escapes.json explains why; an explained escape that is caught fails too,
// so that file only lists what escapes.
//
// It takes about 31 minutes on 2 cores (each escape runs the whole catalog), so it runs only on
// request: `npm run test:real-mutants`
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type RunResult } from "../harness/checkers/index.ts";
import { realModeByName } from "../harness/build/real-build.ts";
import { loadScenarios } from "../harness/engine/load-scenarios.ts";
import { TOPOLOGIES, type Scenario } from "../harness/history/scenario.ts";
import { runMatrix } from "../harness/matrix/matrix.ts";
import { MUTABLE_REAL_MODES, type MutableRealMode, REAL_MUTANTS, type RealMutant, prepareRealMutant } from "../harness/mutants/real-glue.ts";
import { PROJECT_ROOT } from "../harness/project.ts";

const ESCAPES_FILE = join(PROJECT_ROOT, "scenarios/real-mutant-escapes.json");
/** "<mutant>/<mode>" → why the catalog cannot catch it. */
const EXPLAINED: Record<string, string> = existsSync(ESCAPES_FILE) ? JSON.parse(readFileSync(ESCAPES_FILE, "utf8")) : {};
const TOPOLOGY = "shared";
const BASELINE_RUNS = 2;

const catalog = await loadScenarios();
const brokenCheckers = (r: RunResult) => r.verdicts.filter((v) => v.status === "broken").map((v) => v.checker);
const harnessError = (r: RunResult) => (r.status === "error" ? `${r.runId}: harness error, not a catch: ${r.error}` : undefined);

/** What the unmutated build breaks in `scenario` over BASELINE_RUNS fresh runs. */
const baselines = new Map<string, Promise<Set<string>>>();
function unmutatedBreaks(scenario: Scenario, mode: MutableRealMode): Promise<Set<string>> {
  const key = `${scenario.name}/${mode}/${TOPOLOGY}`;
  let known = baselines.get(key);
  if (!known) {
    known = runMatrix({ scenarios: [scenario], variants: [mode], topologies: [TOPOLOGY], repeat: BASELINE_RUNS }).then((matrix) => {
      const errored = matrix.results.map(harnessError).find(Boolean);
      if (errored) throw new Error(`unmutated ${errored}`);
      return new Set(matrix.results.flatMap(brokenCheckers));
    });
    baselines.set(key, known);
  }
  return known;
}

interface Catch {
  runId: string;
  checkers: string[];
  evidence: string;
}

/** The first run of `mutant` on `mode` that breaks what the unmutated build keeps. */
async function hunt(mutant: RealMutant, mode: MutableRealMode): Promise<{ caught?: Catch; tried: number }> {
  const strategy = realModeByName(mode)!.recovery;
  const runnable = catalog.filter((s) => s.expect[strategy] && (s.topologies ?? TOPOLOGIES).includes(TOPOLOGY));
  const first = mutant.likelyCatchers.map((name) => runnable.find((s) => s.name === name)).filter((s): s is Scenario => !!s);
  const order = [...first, ...runnable.filter((s) => !first.includes(s))];
  const distRoot = prepareRealMutant(mutant, mode);
  let tried = 0;
  for (const scenario of order) {
    tried++;
    const matrix = await runMatrix({ scenarios: [scenario], variants: [mode], topologies: [TOPOLOGY], distRoot });
    for (const result of matrix.results) {
      const errored = harnessError(result);
      if (errored) throw new Error(`${mutant.name}: ${errored}`);
      const candidates = brokenCheckers(result);
      if (candidates.length === 0) continue;
      const unmutated = await unmutatedBreaks(scenario, mode);
      const fresh = candidates.filter((c) => !unmutated.has(c));
      if (fresh.length === 0) continue;
      const evidence = result.verdicts.filter((v) => fresh.includes(v.checker)).map((v) => `${v.checker}: ${v.summary}`).join("; ");
      return { caught: { runId: result.runId, checkers: fresh, evidence }, tried };
    }
  }
  return { tried };
}

const outcomes = new Map<string, { caught?: Catch; tried: number; seconds: number }>();

for (const mode of MUTABLE_REAL_MODES) {
  const mutants = REAL_MUTANTS.filter((m) => m.modes.includes(mode));
  describe.runIf(process.env.WRH_REAL_MUTANTS === "1")(`real-glue mutants on ${mode}`, () => {
    it.each(mutants.map((m) => [m.name, m] as const))("%s is caught", async (name, mutant) => {
      const started = performance.now();
      const outcome = await hunt(mutant, mode);
      const seconds = Math.round((performance.now() - started) / 1000);
      outcomes.set(`${name}/${mode}`, { ...outcome, seconds });
      process.stderr.write(`[real mutants] ${name} on ${mode}: ${outcome.caught ? `caught by ${outcome.caught.runId}` : `escapes ${outcome.tried} scenarios`} (${seconds} s)\n`);
      const explained = EXPLAINED[`${name}/${mode}`];
      if (outcome.caught) {
        expect(explained, `${name}/${mode} is listed in real-mutant-escapes.json but ${outcome.caught.runId} catches it: remove the entry`).toBeUndefined();
      } else {
        expect(explained, `no scenario of ${outcome.tried} catches ${name} on ${mode} (${mutant.why})`).toBeDefined();
      }
    }, 3_600_000);
  });
}

afterAll(() => {
  const lines: string[] = [];
  for (const mode of MUTABLE_REAL_MODES) {
    const names = REAL_MUTANTS.filter((m) => m.modes.includes(mode)).map((m) => m.name);
    const ran = names.filter((n) => outcomes.has(`${n}/${mode}`));
    if (ran.length === 0) continue;
    const caught = ran.filter((n) => outcomes.get(`${n}/${mode}`)!.caught).length;
    lines.push(`${mode}: mutation score ${caught}/${ran.length} (${Math.round((100 * caught) / ran.length)} %)`);
    for (const n of ran) {
      const o = outcomes.get(`${n}/${mode}`)!;
      const what = o.caught
        ? `caught by ${o.caught.runId} [${o.caught.checkers.join(", ")}] — ${o.caught.evidence}`
        : `ESCAPES (${o.tried} scenarios): ${EXPLAINED[`${n}/${mode}`] ?? "not explained"}`;
      lines.push(`  ${n.padEnd(40)} ${String(o.seconds).padStart(4)} s  ${what}`);
    }
  }
  console.log(lines.join("\n"));
});
