// `wrh run` and `wrh list`.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { VARIANT_NAMES } from "../build/variants.ts";
import { REAL_MODE_NAMES } from "../build/real-build.ts";
import { loadScenarios } from "../engine/load-scenarios.ts";
import { ALL_BUILDS, ALL_STRATEGIES, type BuildName, type MatrixResult, type OwnWorkerTarget, type ProgressEvent, runMatrix } from "../engine/matrix.ts";
import { detectStrategy } from "../profile/detect-strategy.ts";
import { builtInProfiles, loadProfile } from "../profile/profile.ts";
import { renderHtml } from "../report/html.ts";
import { TOPOLOGIES, type Scenario, type Topology } from "../engine/scenario.ts";
import { PROJECT_ROOT } from "../project.ts";
import { MUTANT_NAMES, type Mutant, type Strategy } from "../protocol/recovery.ts";
import { renderJson } from "../report/json.ts";
import { renderJunit } from "../report/junit.ts";
import { renderTable } from "../report/table.ts";

export const RUN_USAGE = `  wrh run [--scenario NAME]... [--strategy S]... [--variant V]... [--topology T]...
          [--repeat N] [--report json|junit|html]... [--out DIR] [--scenario-file FILE]... [--mutant M]...
      Run fault scenarios against the canary in workerd and judge the histories. Prints a table
      (scenario × strategy: verdict, blast radius, recovery latency); writes history.jsonl and
      the requested reports to --out (default wrh-out/<time>). Strategies: ${ALL_STRATEGIES.join(", ")};
      topologies: ${TOPOLOGIES.join(", ")}; all by default. Builds (--variant): the reference
      runtime's ${VARIANT_NAMES.join(", ")} (or \`reference\` for all three) and real workers-rs's
      ${REAL_MODE_NAMES.join(", ")} (or \`real\`); all by default. A real build runs under the one
      strategy its mode recovers by. --mutant (test only, reference builds): ${MUTANT_NAMES.join(", ")}.
  wrh run --worker <wrangler.toml|built dir> [--profile NAME|FILE] [--strategy reset|unwind] [...]
      The same against a worker of your own, through a profile that maps the harness's
      operations onto its routes (built in: ${builtInProfiles().join(", ")}; default workers-rs-test).
      Runs the scenarios the profile supports; the strategy is detected from how the worker
      answers a panic unless given.
  wrh list [--scenario-file FILE]...
      List the scenarios and what each strategy must make of them.`;

export const DEFAULT_PROFILE = "workers-rs-test";

export class UsageError extends Error {
  override name = "UsageError";
}

export const REPORTS = ["json", "junit", "html"] as const;
export type ReportKind = (typeof REPORTS)[number];

export function pick<T extends string>(values: string[] | undefined, choices: readonly T[], option: string): T[] | undefined {
  if (!values?.length) return undefined;
  return values.map((value) => {
    if (!choices.includes(value as T)) throw new UsageError(`--${option} ${value}: choose from ${choices.join(", ")}`);
    return value as T;
  });
}

export async function scenariosFrom(files: string[] | undefined): Promise<Scenario[]> {
  return loadScenarios(files?.map((file) => resolve(file)));
}

export function progressLine(event: ProgressEvent): string {
  const counter = `[${event.done}/${event.total}]`;
  if (event.note) return `${counter} note: ${event.note}`;
  const r = event.result!;
  const broken = r.verdicts.filter((v) => !v.ok).map((v) => v.checker).join(", ");
  return `${counter} ${r.ok ? "pass" : "FAIL"} ${r.runId}${broken ? ` (${broken})` : ""}`;
}

export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      scenario: { type: "string", multiple: true },
      strategy: { type: "string", multiple: true },
      variant: { type: "string", multiple: true },
      topology: { type: "string", multiple: true },
      repeat: { type: "string" },
      report: { type: "string", multiple: true },
      out: { type: "string" },
      "scenario-file": { type: "string", multiple: true },
      mutant: { type: "string", multiple: true },
      worker: { type: "string" },
      profile: { type: "string" },
    },
  });
  const all = await scenariosFrom(values["scenario-file"]);
  const wanted = values.scenario;
  for (const name of wanted ?? []) {
    if (!all.some((s) => s.name === name)) throw new UsageError(`--scenario ${name}: no such scenario; \`wrh list\` shows them`);
  }
  const repeat = values.repeat === undefined ? undefined : Number(values.repeat);
  if (repeat !== undefined && (!Number.isInteger(repeat) || repeat < 1)) throw new UsageError("--repeat must be a positive integer");
  const reports = pick(values.report, REPORTS, "report") ?? [];
  const strategies = pick(values.strategy, ALL_STRATEGIES, "strategy") as Strategy[] | undefined;
  const ownWorker = values.worker === undefined
    ? undefined
    : await ownWorkerTarget(values.worker, values.profile, strategies, { variant: values.variant, topology: values.topology, mutant: values.mutant });
  if (!ownWorker && values.profile !== undefined) throw new UsageError("--profile needs --worker: a profile maps the scenarios onto your worker's routes");
  const out = resolve(values.out ?? join(PROJECT_ROOT, "wrh-out", timestamp()));
  mkdirSync(out, { recursive: true });

  const matrix: MatrixResult = await runMatrix({
    scenarios: wanted ? all.filter((s) => wanted.includes(s.name)) : all,
    strategies,
    // Mutants live in the reference runtime: with them, the default is its builds only.
    variants: builds(values.variant, values.mutant?.length ? VARIANT_NAMES : ALL_BUILDS),
    topologies: pick(values.topology, TOPOLOGIES, "topology") as Topology[] | undefined,
    mutants: pick(values.mutant, MUTANT_NAMES, "mutant") as Mutant[] | undefined,
    repeat,
    ownWorker,
    historyFile: join(out, "history.jsonl"),
    onProgress: (event) => process.stderr.write(`${progressLine(event)}\n`),
  });
  writeReports(matrix, out, reports, [join(out, "history.jsonl")]);
  return matrix.ok ? 0 : 1;
}

/** `--variant` values: build names, or `reference` / `real` for every build of that kind. */
export function builds(values: string[] | undefined, fallback: readonly BuildName[]): BuildName[] {
  const groups: Record<string, readonly BuildName[]> = { reference: VARIANT_NAMES, real: REAL_MODE_NAMES };
  const names = pick(values, [...ALL_BUILDS, ...Object.keys(groups)], "variant");
  return names ? [...new Set(names.flatMap((name) => groups[name] ?? [name as BuildName]))] : [...fallback];
}

export function timestamp(): string {
  return new Date().toISOString().replaceAll(/[:.]/g, "-");
}

/** Prints the table and writes the requested reports next to the history. */
export function writeReports(matrix: MatrixResult, out: string, reports: readonly ReportKind[], written: string[], title?: string): void {
  process.stdout.write(`${renderTable(matrix)}\n`);
  const render: Record<ReportKind, [string, () => string]> = {
    json: ["report.json", () => renderJson(matrix)],
    junit: ["junit.xml", () => renderJunit(matrix)],
    html: ["report.html", () => renderHtml(matrix.results, { title })],
  };
  for (const kind of reports) {
    const [file, content] = render[kind];
    writeFileSync(join(out, file), content());
    written.push(join(out, file));
  }
  process.stderr.write(`wrh: wrote ${written.map((f) => relative(process.cwd(), f) || f).join(", ")}\n`);
}

/**
 * Reads `--worker` and `--profile` into a target: the profile loaded and validated, the
 * strategy given (one) or detected. Options that only make sense for the canary are refused;
 * a worker that is not there is reported by the matrix before anything runs.
 */
export async function ownWorkerTarget(
  worker: string, profileName: string | undefined, strategies: Strategy[] | undefined, canaryOnly: Record<string, unknown[] | undefined>,
): Promise<OwnWorkerTarget> {
  for (const [option, value] of Object.entries(canaryOnly)) {
    if (value?.length) throw new UsageError(`--${option} applies to the canary builds, not to --worker (your worker is one build)`);
  }
  if (strategies && strategies.length > 1) throw new UsageError("--worker runs under one strategy: the one its build uses (reset or unwind)");
  const profile = loadProfile(profileName ?? DEFAULT_PROFILE);
  const strategy = strategies?.[0] ?? await detectStrategy(worker, profile);
  if (!strategies) process.stderr.write(`wrh: ${worker} answers a panic like a ${strategy === "unwind" ? "panic=unwind" : "panic=abort"} build: judging it under ${strategy}\n`);
  return { path: worker, profile, strategy };
}

export async function listCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { "scenario-file": { type: "string", multiple: true } } });
  for (const s of await scenariosFrom(values["scenario-file"])) {
    const fault = `${s.fault.kind} in ${s.fault.place}${s.fault.place === "reentrant" ? ` (depth ${s.fault.depth}, at ${s.fault.at}${s.fault.swallow ? ", swallowed" : ""})` : ""}`;
    const workload = `in flight ${s.workload.inflight?.handler ?? 0}+${s.workload.inflight?.object ?? 0}, later ${s.workload.later?.handler ?? 0}+${s.workload.later?.object ?? 0} (handler+object)`;
    process.stdout.write(`${s.name}\n  ${s.description}\n  fault: ${fault}; ${workload}\n`);
    for (const [strategy, e] of Object.entries(s.expect)) {
      process.stdout.write(`  ${strategy.padEnd(6)} fault → ${e.fault.join("|")}; ${e.reset ? "reset" : "no reset"}; in flight ${e.inflight}; later ${e.later}\n`);
    }
  }
  return 0;
}
