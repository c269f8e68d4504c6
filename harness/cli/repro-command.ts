// `wrh repro`: one scenario, once, with an HTML timeline. (`wrh report` is report-command.ts.)
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { VariantName } from "../build/variants.ts";
import { realModeByName } from "../build/real-build.ts";
import { ALL_BUILDS, runMatrix } from "../matrix/matrix.ts";
import { exitStatus } from "../checkers/verdict.ts";
import { suggestion } from "../engine/field-checker.ts";
import { TOPOLOGIES, type Topology } from "../history/scenario.ts";
import { IN_CLONE, onlyInClone } from "../project.ts";
import { STRATEGIES, type Strategy } from "../protocol/recovery.ts";
import { writeReports } from "./report-command.ts";
import { outputDir, timestamp, writingInto } from "./output-dir.ts";
import { ownWorkerTarget, progressReporter, scenariosFrom } from "./run-command.ts";
import { COMMAND_OPTIONS, pick, UsageError } from "./usage.ts";

/** The build a strategy runs on when none is named: the reference build for it. */
const BUILD_FOR: Record<Strategy, VariantName> = { none: "abort", reset: "abort", unwind: "unwind" };

export async function reproCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: COMMAND_OPTIONS.repro,
  });
  if (positionals.length !== 1) throw new UsageError("wrh repro takes one scenario name; `wrh list` shows them");
  const name = positionals[0]!;
  const all = await scenariosFrom(values);
  const scenario = all.find((s) => s.name === name);
  if (!scenario) throw new UsageError(`no scenario "${name}"${suggestion(name, all.map((s) => s.name))}; \`wrh list\` shows them`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw new UsageError("--seed must be an integer from 0 to 4294967295");
  const listed = (value: string | undefined) => (value === undefined ? undefined : [value]);
  const strategies = pick(listed(values.strategy), STRATEGIES, "strategy") as Strategy[] | undefined;

  const ownWorker = values.worker === undefined
    ? undefined
    : await ownWorkerTarget(values.worker, values.profile, strategies, { variant: listed(values.variant) });
  if (!ownWorker && values.profile !== undefined) throw new UsageError("--profile needs --worker");
  if (!ownWorker && !IN_CLONE) throw new UsageError(onlyInClone("wrh repro without --worker"));
  const named = pick(listed(values.variant), ALL_BUILDS, "variant")?.[0];
  const real = named === undefined ? undefined : realModeByName(named);
  const strategy = ownWorker?.strategy ?? strategies?.[0] ?? real?.recovery ?? "reset";
  if (real && strategy !== real.recovery) throw new UsageError(`--variant ${named} recovers by ${real.recovery}; it cannot run --strategy ${strategy}`);
  if (!scenario.expect[strategy]) {
    throw new UsageError(`scenario ${name} says nothing about strategy ${strategy}; it has ${Object.keys(scenario.expect).join(", ")}`);
  }
  const variant = named ?? BUILD_FOR[strategy];
  const topology = (pick(listed(values.topology), TOPOLOGIES, "topology")?.[0] ?? "shared") as Topology;

  const out = outputDir(values.out, `repro-${name}-${strategy}-${timestamp()}`);
  return writingInto(out, async () => {
    const matrix = await runMatrix({
      scenarios: [scenario],
      strategies: [strategy],
      variants: [variant],
      topologies: [topology],
      repeat: 1,
      seed,
      ownWorker,
      historyFile: join(out, "history.jsonl"),
      onProgress: progressReporter(),
    });
    writeReports(matrix, out, ["html"], { written: [join(out, "history.jsonl")], title: `wrh repro ${name} (${strategy})` });
    return exitStatus(matrix);
  });
}
