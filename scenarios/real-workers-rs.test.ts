// Real workers-rs through the whole catalog: the canary on the real `worker` crate, built by the
// real worker-build (default and --panic-unwind modes), in both topologies, judged by the same
// checkers as the reference runtime.
//
// A real build that breaks a guarantee the reference runtime keeps is a finding, not a test
// failure. Every run may break only what scenarios/real-findings.json records for it
// (docs/findings.md explains each one, with its evidence): a new break fails here and names the
// run, so the file changes only on purpose:
//   WRH_UPDATE_FINDINGS=1 npx vitest run scenarios/real-workers-rs.test.ts
// A recorded break that did not show in this run is printed, not failed: some findings depend
// on timing (a Durable Object request of a dead instance sometimes is cancelled instead of
// hanging, F3). A run that could not complete is a harness error and always fails.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judgeAgainst } from "../harness/checkers/index.ts";
import { loadScenarios } from "../harness/engine/load-scenarios.ts";
import { type RunResult } from "../harness/checkers/index.ts";
import { configurations, runMatrix } from "../harness/matrix/matrix.ts";
import { TOPOLOGIES } from "../harness/history/scenario.ts";
import { PROJECT_ROOT } from "../harness/project.ts";

const FINDINGS_FILE = join(PROJECT_ROOT, "scenarios/real-findings.json");
const update = process.env.WRH_UPDATE_FINDINGS === "1";
const recorded: Record<string, string[]> = existsSync(FINDINGS_FILE) ? JSON.parse(readFileSync(FINDINGS_FILE, "utf8")) : {};
const observed: Record<string, string[]> = {};

const catalog = await loadScenarios();
const key = (r: RunResult) => `${r.scenario}/${r.config.variant}/${r.config.topology}`;
const brokenCheckers = (r: RunResult) => r.verdicts.filter((v) => v.status === "broken").map((v) => v.checker).sort();

for (const config of configurations({ variants: ["real-abort", "real-unwind"] })) {
  const scenarios = catalog.filter((s) => s.expect[config.strategy] && (s.topologies ?? TOPOLOGIES).includes(config.topology));
  describe(`real workers-rs · ${config.variant} (${config.strategy}) · ${config.topology} topology`, () => {
    const results = new Map<string, RunResult[]>();
    beforeAll(async () => {
      const matrix = await runMatrix({ scenarios, variants: [config.variant], topologies: [config.topology] });
      for (const result of matrix.results) results.set(result.scenario, [...(results.get(result.scenario) ?? []), result]);
    }, 600_000);

    it.each(scenarios.map((s) => [s.name]))("%s: broken guarantees are the recorded findings", (name) => {
      for (const result of results.get(name)!) {
        expect(result.error, `${result.runId}: a harness error, not a finding`).toBeUndefined();
        const broken = brokenCheckers(result);
        observed[key(result)] = broken;
        const why = result.verdicts.filter((v) => v.status === "broken").map((v) => `${v.checker}: ${v.summary}`).join("\n");
        if (update) continue;
        const known = recorded[key(result)] ?? [];
        expect(broken.filter((c) => !known.includes(c)), `${result.runId} (blast radius ${result.blastRadius}): new breaks\n${why}`).toEqual([]);
        const unseen = known.filter((c) => !broken.includes(c));
        if (unseen.length) console.log(`${result.runId}: recorded finding(s) not seen this run: ${unseen.join(", ")}`);
      }
    });
  });
}

describe("negative control: real workers-rs --no-panic-recovery held to the reset mode's promises", () => {
  const poisoning = catalog.filter((s) => s.expect.none && s.expect.reset?.reset && !s.fault.storm);
  it.each(poisoning.map((s) => [s.name, s]))("%s is reported broken", async (_, scenario) => {
    const matrix = await runMatrix({ scenarios: [scenario], variants: ["real-legacy"], topologies: ["shared"] });
    for (const result of matrix.results) {
      const broken = judgeAgainst(result.history, scenario.expect.reset!).filter((v) => v.status === "broken");
      expect(broken.map((v) => v.checker), `${result.runId}`).not.toEqual([]);
    }
  }, 60_000);
});

// Updating adds what this run saw to what was recorded (timing-dependent findings do not show in
// every run); to drop a finding fixed upstream, delete its entry, then update.
afterAll(() => {
  if (!update) return;
  const merged = { ...recorded };
  for (const [run, broken] of Object.entries(observed)) merged[run] = [...new Set([...(recorded[run] ?? []), ...broken])].sort();
  writeFileSync(FINDINGS_FILE, JSON.stringify(Object.fromEntries(Object.entries(merged).filter(([, v]) => v.length).sort()), null, 2) + "\n");
});
