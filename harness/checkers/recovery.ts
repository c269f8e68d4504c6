// Recovery: the faulted isolate is re-instantiated exactly when the strategy says (generation
// +1, once), and later siblings succeed there.
import type { ScenarioRun } from "../history/run.ts";
import { expectationOf, expectedResets, faultedIsolate, faultRecords, infoProbes, num, observed, verdict, type Checker } from "./verdict.ts";
import { succeeded } from "../history/record.ts";

/**
 * Milliseconds from the (first) fault's answer to the first later sibling that succeeded after
 * it. None under strategy `none`: nothing recovers there, a later success only shows the fault
 * did not poison the instance.
 */
export function recoveryLatency(run: ScenarioRun): number | undefined {
  if (run.config.strategy === "none") return undefined;
  const fault = faultRecords(run)[0]!;
  const firstLater = run.records.filter((r) => r.role === "later" && succeeded(r) && r.start >= fault.end).sort((a, b) => a.end - b.end)[0];
  return firstLater ? Math.round((firstLater.end - fault.end) * 100) / 100 : undefined;
}

export const recovery: Checker = (run) => {
  const expectation = expectationOf(run);
  // Probes that do not report the generation say nothing about it (not evidence of a wrong advance).
  const reported = infoProbes(run, faultedIsolate(run));
  const probes = reported && reported.every((p) => observed(p, "generation")) ? reported : undefined;
  const advance = probes ? num(probes[1], "generation") - num(probes[0], "generation") : undefined;
  const broken = probes && advance !== expectedResets(run) ? [...probes] : [];
  if (expectation.later === "succeed") {
    broken.push(...run.records.filter((r) => r.role === "later" && r.isolate === faultedIsolate(run) && !succeeded(r)));
  }
  const generation = probes ? `generation +${advance} as expected` : "generation not observed (no probes)";
  return verdict("recovery", broken,
    `${generation}; later siblings succeeded`,
    (ids) => `${probes ? `generation moved by ${advance} (expected ${expectedResets(run)}) or ` : ""}later siblings failed: ${ids}`);
};
