// A run: one execution of one scenario in one configuration, with its records. The engine
// produces runs (engine/execute.ts), the checkers judge them, history files keep them
// (./file.ts).
import type { Mutant, Strategy } from "../protocol/recovery.ts";
import type { HistoryRecord } from "./record.ts";
import type { Scenario, Topology } from "./scenario.ts";

/** A build of the reference runtime's canary (harness/build/variants.ts lists them). */
export type ReferenceBuild = "abort" | "unwind" | "unwind-exnref";
/** A real workers-rs build of the canary (harness/build/real-build.ts lists them). */
/** A real workers-rs build of the canary; `-opt`: optimised by wasm-opt as worker-build ships it, the others `--no-opt`. */
export type RealBuild =
  | "real-abort" | "real-unwind" | "real-unwind-exnref" | "real-legacy"
  | "real-abort-opt" | "real-unwind-opt" | "real-unwind-exnref-opt" | "real-legacy-opt";
export type BuildName = ReferenceBuild | RealBuild;

/** A real workers-rs build: judged beside upstream's own promises, its breaks named by finding. */
export const isRealBuild = (variant: string): variant is RealBuild => variant.startsWith("real-");

/** The build a bring-your-own worker run is labelled with: the user's own, not a canary variant. */
export const OWN_WORKER = "worker";

export interface RunConfig {
  /**
   * The canary build (a reference variant or a real workers-rs mode), or `worker` for a worker
   * of your own reached through a profile.
   */
  variant: BuildName | typeof OWN_WORKER;
  strategy: Strategy;
  topology: Topology;
  mutants: readonly Mutant[];
  /** 1-based repeat number. */
  repeat: number;
  /** Varies the data siblings carry (and check); runs with the same id and seed send the same requests. */
  seed?: number;
}

/** How a real build was made: what a finding on it may depend on. */
export interface BuildInfo {
  /** rustc's version line, e.g. `rustc 1.96.0 (…) (built from a source tarball)`. */
  rustc: string;
  /** Where that rustc comes from: `debian` (rustc-web) or `rustup-nightly`. */
  toolchain: string;
  /** Whether wasm-opt optimised the shipped module, as worker-build does by default. */
  wasmOpt: boolean;
  worker: string;
  workerBuild: string;
  wasmBindgen: string;
}

/** One execution of one scenario: what the checkers judge. */
export interface ScenarioRun {
  runId: string;
  scenario: Scenario;
  config: RunConfig;
  /** The Durable Object the run used, if any. */
  object?: string;
  records: HistoryRecord[];
  /** What the worker printed while the run went on. */
  output: string;
  /** Who spoke to the worker: `canary`, or the profile's name. */
  client?: string;
  /** A real workers-rs build: its toolchain, wasm-opt and versions (from its manifest). */
  build?: BuildInfo;
  /** What the scenario asked for that the profile could not do, left out of this run. */
  leftOut?: string[];
  /**
   * `upstream`: a worker of your own judged also by upstream's own promises (what workers-rs's
   * test suite asserts), as every real build is; its breaks of the contract are then named by
   * finding. Absent: by the recovery contract alone.
   */
  expect?: "upstream";
  /**
   * Set when the harness could not complete the run (it stalled, workerd would not start, the
   * harness's own code failed): why. Such a run has no records and no checker judges it.
   */
  error?: string;
}

export function runId(scenario: Scenario, config: RunConfig): string {
  const mutants = config.mutants.length ? `+${config.mutants.join("+")}` : "";
  return `${scenario.name}/${config.variant}/${config.strategy}${mutants}/${config.topology}/${config.repeat}`;
}
