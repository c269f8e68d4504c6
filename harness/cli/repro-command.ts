// `wrh repro` (one scenario, once, with an HTML timeline) and `wrh report` (judge a saved
// history again and re-render its reports).
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { VariantName } from "../build/variants.ts";
import { realModeByName } from "../build/real-build.ts";
import { ALL_BUILDS, ALL_STRATEGIES, judgeRun, type MatrixResult, runMatrix } from "../engine/matrix.ts";
import { TOPOLOGIES, type Topology } from "../engine/scenario.ts";
import { readHistory } from "../history/record.ts";
import { PROJECT_ROOT } from "../project.ts";
import type { Strategy } from "../protocol/recovery.ts";
import {
  ownWorkerTarget, pick, progressLine, REPORTS, scenariosFrom, timestamp, UsageError, writeReports,
} from "./run-command.ts";

export const REPRO_USAGE = `  wrh repro <scenario> [--strategy S] [--variant V] [--topology T] [--seed N] [--out DIR]
          [--worker <wrangler.toml|built dir> [--profile NAME|FILE]] [--scenario-file FILE]...
      Run one scenario once and write history.jsonl and a self-contained report.html: a
      timeline of every operation (coloured by outcome, the fault and generation changes
      marked), the verdicts and their evidence. Strategy reset by default; the build follows
      it (none/reset: abort, unwind: unwind). A real workers-rs build (--variant real-abort,
      real-unwind, real-unwind-exnref, real-legacy) brings its own strategy. --seed varies the
      data siblings carry.
  wrh report <history.jsonl> [--report json|junit|html]... [--out DIR]
      Judge a saved history again (no worker runs) and re-render its reports: the table, and
      report.html by default, next to the history unless --out says otherwise.`;

/** The build a strategy runs on when none is named: the reference build for it. */
const BUILD_FOR: Record<Strategy, VariantName> = { none: "abort", reset: "abort", unwind: "unwind" };

export async function reproCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      strategy: { type: "string" },
      variant: { type: "string" },
      topology: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      worker: { type: "string" },
      profile: { type: "string" },
      "scenario-file": { type: "string", multiple: true },
    },
  });
  if (positionals.length !== 1) throw new UsageError("wrh repro takes one scenario name; `wrh list` shows them");
  const name = positionals[0]!;
  const scenario = (await scenariosFrom(values["scenario-file"])).find((s) => s.name === name);
  if (!scenario) throw new UsageError(`no scenario "${name}"; \`wrh list\` shows them`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw new UsageError("--seed must be an integer from 0 to 4294967295");
  const listed = (value: string | undefined) => (value === undefined ? undefined : [value]);
  const strategies = pick(listed(values.strategy), ALL_STRATEGIES, "strategy") as Strategy[] | undefined;

  const ownWorker = values.worker === undefined
    ? undefined
    : await ownWorkerTarget(values.worker, values.profile, strategies, { variant: listed(values.variant), topology: listed(values.topology) });
  if (!ownWorker && values.profile !== undefined) throw new UsageError("--profile needs --worker");
  const named = pick(listed(values.variant), ALL_BUILDS, "variant")?.[0];
  const real = named === undefined ? undefined : realModeByName(named);
  const strategy = ownWorker?.strategy ?? strategies?.[0] ?? real?.recovery ?? "reset";
  if (real && strategy !== real.recovery) throw new UsageError(`--variant ${named} recovers by ${real.recovery}; it cannot run --strategy ${strategy}`);
  if (!scenario.expect[strategy]) {
    throw new UsageError(`scenario ${name} says nothing about strategy ${strategy}; it has ${Object.keys(scenario.expect).join(", ")}`);
  }
  const variant = named ?? BUILD_FOR[strategy];
  const topology = (pick(listed(values.topology), TOPOLOGIES, "topology")?.[0] ?? "shared") as Topology;

  const out = resolve(values.out ?? join(PROJECT_ROOT, "wrh-out", `repro-${name}-${strategy}-${timestamp()}`));
  mkdirSync(out, { recursive: true });
  const matrix = await runMatrix({
    scenarios: [scenario],
    strategies: [strategy],
    variants: [variant],
    topologies: [topology],
    repeat: 1,
    seed,
    ownWorker,
    historyFile: join(out, "history.jsonl"),
    onProgress: (event) => process.stderr.write(`${progressLine(event)}\n`),
  });
  writeReports(matrix, out, ["html"], [join(out, "history.jsonl")], `wrh repro ${name} (${strategy})`);
  return matrix.ok ? 0 : 1;
}

export async function reportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { report: { type: "string", multiple: true }, out: { type: "string" } },
  });
  if (positionals.length !== 1) throw new UsageError("wrh report takes one history file (history.jsonl from wrh run or wrh repro)");
  const file = resolve(positionals[0]!);
  const reports = pick(values.report, REPORTS, "report") ?? ["html"];
  const started = performance.now();
  const results = readHistory(file).map(judgeRun);
  const matrix: MatrixResult = {
    ok: results.every((r) => r.ok), results, notes: [], durationMs: Math.round(performance.now() - started),
  };
  const out = resolve(values.out ?? dirname(file));
  mkdirSync(out, { recursive: true });
  writeReports(matrix, out, reports, [], `wrh report ${positionals[0]}`);
  return matrix.ok ? 0 : 1;
}
