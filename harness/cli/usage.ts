// `wrh`'s usage text and its bad-input error: what `wrh help` prints must not load the modules
// that run workers (Miniflare), so the text lives here and each command's module is loaded
// only when that command runs (harness/cli/commands.ts).
import { availableParallelism } from "node:os";
import { DEFAULT_MAX_MEMORY_BYTES } from "../build/build.ts";
import { REAL_MODE_NAMES } from "../build/real-build.ts";
import { VARIANT_NAMES } from "../build/variants.ts";
import { TOPOLOGIES } from "../history/scenario.ts";
import { DEFAULT_REQUEST_DEADLINE_MS } from "../runner/deadline.ts";
import { ALL_TIMELINES_UP_TO } from "../report/html.ts";
import { builtInProfiles } from "../profile/profile.ts";
import { MUTANT_NAMES, STRATEGIES } from "../protocol/recovery.ts";
import { InputError } from "../errors.ts";

/** Bad input: exit 2 with its message on one line. */
export class UsageError extends InputError {
  override name = "UsageError";
}

/**
 * workerd processes a matrix runs at once unless --parallel says otherwise: two per core. Most
 * of a run is waiting (for a deadline, a timer, an answer), so one per core left the cores idle:
 * the whole matrix took 168 s on 2 workerd and 117 s on 4 on two cores, with the same verdicts.
 */
export const DEFAULT_PARALLEL = 2 * availableParallelism();

const PARALLEL_USAGE = `--parallel N runs N workerd processes at once (default ${DEFAULT_PARALLEL}, two per core here); the runs of
      one build, strategy and topology go to one of them, in order, until none is left to start;
      then a free one takes the second half of the longest queue on a workerd of its own.`;

const DEADLINE_USAGE = `--deadline S: seconds a request may take before it counts as hung (default ${DEFAULT_REQUEST_DEADLINE_MS / 1000}; an
      in-flight sibling's run from the fault's answer). A shorter one judges hangs sooner; an answer
      later than half of it is noted, since a shorter deadline would have called it a hang.`;

const REAL_BUILDS_USAGE = `On a real workers-rs build every broken guarantee names its root cause, a finding of
      docs/findings.md (F1, F2, …), or NEW where no finding explains it; each run is also judged
      against upstream's own promises (what workers-rs's test/tests/panic.spec.ts asserts). Exit 1
      when a run breaks upstream's promise (a regression) or shows a NEW break; a run that breaks
      only the ideal contract, each break a known finding, is a known limitation: printed with its
      finding id, and it fails the run only with --strict. --repeat N prints the cells whose
      verdict differed between repeats (flips).`;

const many = { type: "string", multiple: true } as const;
const one = { type: "string" } as const;
const flag = { type: "boolean", default: false } as const;

/** Each command's options (node:util parseArgs); its usage below names every one (a test checks). */
export const COMMAND_OPTIONS = {
  build: { variant: many, "max-memory": one, force: { type: "boolean", default: false }, crate: one, "panic-unwind": flag, dev: flag, "no-opt": flag },
  setup: {},
  toolchain: {},
  run: {
    scenario: many, strategy: many, variant: many, topology: many, repeat: one, report: many, out: one,
    "scenario-file": many, "only-file": flag, mutant: many, worker: one, profile: one, "require-observed": { type: "boolean", default: false },
    timeline: many, parallel: one, deadline: one, strict: flag, expect: one,
  },
  list: { "scenario-file": many, "only-file": flag },
  repro: { strategy: one, variant: one, topology: one, seed: one, out: one, worker: one, profile: one, "scenario-file": many, "only-file": flag },
  report: { report: many, out: one, timeline: many, strict: flag },
  init: { worker: one, profile: one, dir: one },
  releases: { only: many, points: one, source: many, mode: many, scenario: many, topology: many, repeat: one, out: one, "known-bugs": flag, from: one, parallel: one, deadline: one, strict: flag },
} as const;

/** Each command's usage: `wrh <command> --help` prints its own, `wrh help` all of them. */
export const COMMAND_USAGE = {
  build: `  wrh build [--variant NAME]... [--max-memory SIZE] [--force]
      Compile the workers into dist/<variant>/ (canary.wasm, worker.js, manifest.json).
      Variants: ${VARIANT_NAMES.join(", ")} (default, or \`reference\`: all of these). Unchanged inputs are not recompiled.
      Real workers-rs builds (workers/real-canary by the real worker-build and wasm-bindgen CLI,
      installed from crates.io on first use): ${REAL_MODE_NAMES.join(", ")}, or \`real\` for all
      of them; each lands in dist/<mode>/ (index.js, index_bg.wasm, manifest.json). A mode ending
      in -opt is optimised by wasm-opt as worker-build ships it (npm's binaryen, the version
      worker-build pins); the others are built with --no-opt.
      --max-memory caps linear memory so OOM is a real allocation failure
      (bytes, or with KiB/MiB/GiB; default ${DEFAULT_MAX_MEMORY_BYTES / 1024 / 1024}MiB).
  wrh build --crate PATH [--panic-unwind] [--dev] [--no-opt] [--max-memory SIZE]
      Build a workers-rs crate of your own (works from the installed package too) as the real
      canary is built, offline: worker-build at the version of the \`worker\` crate in its Cargo.lock
      (the crate's, or its workspace's above it) and the wasm-bindgen CLI at the lock's
      wasm-bindgen, installed from crates.io into ~/.cache/wrh once, run with this machine's Rust
      toolchain behind wrappers for worker-build's \`cargo +nightly\` and rustup calls. Runs
      \`worker-build --release\` (--dev: \`--dev\`) in PATH, with --panic-unwind when given; output in
      PATH/build/, as worker-build writes it. wasm-opt is npm's binaryen when it resolves, else the
      build runs with --no-opt (and says so); --no-opt skips it anyway. RUSTFLAGS gets the memory
      cap (--max-memory) after your own. Prints the path to give \`wrh run --worker\`: the crate's
      wrangler.toml when it has one, else its build/. A failed worker-build exits 1.`,
  setup: `  wrh setup
      Find a Rust toolchain that can build wasm32 offline (installing Debian's packages when
      running as root on Debian), build every variant, then install worker-build and the
      wasm-bindgen CLI from crates.io (cached) and build every real mode. Run by \`npm run setup\`.`,
  toolchain: `  wrh toolchain
      Print the Rust toolchain wrh would build with.`,
  run: `  wrh run [--scenario NAME]... [--strategy S]... [--variant V]... [--topology T]...
          [--repeat N] [--report json|junit|html]... [--out DIR] [--scenario-file FILE]... [--only-file]
          [--mutant M]... [--require-observed] [--strict] [--timeline RUN]... [--parallel N]
          [--deadline S]
      Run fault scenarios against the canary in workerd and judge the histories. Prints a table
      (scenario × strategy: verdict, blast radius, recovery latency); writes history.jsonl and
      the requested reports to --out (a new or empty folder; default wrh-out/<time> in the
      working directory). Strategies: ${STRATEGIES.join(", ")};
      topologies: ${TOPOLOGIES.join(", ")}; all by default. Builds (--variant): the reference
      runtime's ${VARIANT_NAMES.join(", ")} (or \`reference\` for all three) and real workers-rs's
      ${REAL_MODE_NAMES.join(", ")} (or \`real\`); all by default. A real build runs under the one
      strategy its mode recovers by. --mutant (test only, reference builds): ${MUTANT_NAMES.join(", ")}.
      A verdict is holds, broken or unknown (not observed: never a pass); --require-observed
      makes an unknown fail the run (exit 1).
      ${REAL_BUILDS_USAGE} Progress goes to stderr with the time left. The
      HTML report draws every run's timeline up to ${ALL_TIMELINES_UP_TO} runs; above that only the broken, the
      harness errors and runs whose id contains a --timeline text (the rest: one index row each).
      --scenario-file adds your scenarios to the built-in catalog: a *.scenarios.ts file that
      default-exports an array (written with defineScenario and the expectation shapes imported
      from "workers-recovery-harness"), or a *.scenarios.json file holding one; --only-file
      leaves the catalog out. The canary builds exist only in a clone of the repository.
      ${PARALLEL_USAGE}
      ${DEADLINE_USAGE}
  wrh run --worker <wrangler.toml|built dir> [--profile NAME|FILE] [--strategy reset|unwind]
          [--expect contract|upstream] [...]
      The same against a worker of your own, through a profile that maps the harness's
      operations onto its routes (built in: ${builtInProfiles().join(", ")}; default workers-rs-test).
      Runs the scenarios the profile supports, in both topologies when the profile has a
      Durable Object (split: a second copy of the worker holds the objects; --topology picks);
      the strategy is detected from how the worker answers a panic unless given. Unless
      --deadline is given, a request may take 10 s or five times the slowest fault answer of
      the preflight, whichever is longer (a worker-build --dev build answers many times slower). Before any run, the requests the runs will send that must
      succeed are sent once (every object name, the sibling route): one that answers otherwise
      than the profile says is a profile mismatch, exit 2, naming the route. A wrangler config
      brings its [vars] and .dev.vars (or .env), as wrangler dev does.
      --expect upstream judges it as a real workers-rs build is judged: by upstream's own
      promises beside the contract, each contract break named by its finding (exit 0 when
      upstream's promises hold and nothing NEW shows; --strict fails known limitations too).
      --expect contract (default): any broken guarantee fails.`,
  list: `  wrh list [--scenario-file FILE]... [--only-file]
      List the scenarios and what each strategy must make of them.`,
  repro: `  wrh repro <scenario> [--strategy S] [--variant V] [--topology T] [--seed N] [--out DIR]
          [--worker <wrangler.toml|built dir> [--profile NAME|FILE]] [--scenario-file FILE]... [--only-file]
      Run one scenario once and write history.jsonl and a self-contained report.html: a
      timeline of every operation (coloured by outcome, the fault and generation changes
      marked), the verdicts and their evidence. Strategy reset by default; the build follows
      it (none/reset: abort, unwind: unwind). A real workers-rs build (--variant real-abort,
      real-unwind, real-unwind-exnref, real-legacy) brings its own strategy. --seed varies the
      data siblings carry. --scenario-file and --only-file as for run.`,
  report: `  wrh report <history.jsonl> [--report json|junit|html]... [--out DIR] [--timeline RUN]... [--strict]
      Judge a saved history again (no worker runs) and re-render its reports: the table, and
      report.html by default, into a new folder report-<time>/ beside the history unless --out
      names another (new or empty) folder. --timeline as for run. Reads the history a run at a
      time, so a history of thousands of runs needs little memory. --strict as for run.`,
  init: `  wrh init [--worker <wrangler.toml|built dir>] [--profile NAME|FILE] [--dir DIR]
      In your worker's project: write the recovery tests as vitest spec files, one per fault
      kind the profile maps (DIR/<kind>.recovery.ts, DIR = recovery by default), a "recovery"
      project in vitest.config.ts (written if missing, added to its test.projects if present),
      and an npm script test:recovery. The worker is the wrangler config found here (else
      worker-build's build/) unless --worker names it. Existing files are never overwritten.`,
  releases: `  wrh releases [--only POINT]... [--points FILE] [--source NAME=PATH]... [--mode M]... [--scenario NAME]... [--topology T]... [--repeat N] [--out DIR] [--known-bugs] [--from DIR]
          [--parallel N] [--deadline S] [--strict]
      The release matrix: for each release point of harness/releases/points.json (a worker
      version, its worker-build and an exact wasm-bindgen; --only picks some), build the real
      canary with that worker-build and the matching wasm-bindgen CLI (installed from crates.io
      once per version) in each mode (--mode: ${REAL_MODE_NAMES.join(", ")}; the --no-opt ones by default), run the catalog
      against each build, and print a release × mode × scenario table with the blast radius in
      each cell; writes releases.json, releases.html and a history per point to --out (default
      wrh-out/releases-<time>). Progress per point with the time left; a warm run compiles
      nothing. Regressions (the newest release breaks a guarantee an older release of its mode
      kept; patched and source points are not releases) are grouped by the finding behind them.
      Exit 1 when the newest release breaks upstream's own promises or a point shows a NEW break (or, with --strict, on any regression), 3 when a point could not be built.
      --repeat N prints the cells whose verdict differed between repeats (flips).
      A patched point is a release point with fixes: "label" names it (0.8.7+0.2.130+fix-f9) and
      "patches" lists {crate, file} diffs against the published source of worker, worker-macros,
      worker-sys, js-sys, wasm-bindgen, wasm-bindgen-macro-support, wasm-bindgen-futures (given
      to cargo as [patch.crates-io]), worker-build or wasm-bindgen-cli-support (the tool built
      from the patched source); builds are cached per patch content. Judged beside its base
      (--only BASE --only BASE+LABEL), it prints what the fix changed: cells broken → holds,
      holds → broken, findings gone and new. --points FILE reads the points from FILE (the
      format of harness/releases/points.json; patch paths relative to FILE) instead.
      --source worker=PATH (a workers-rs checkout: its worker, worker-macros, worker-sys and
      worker-build) and/or --source wasm-bindgen=PATH (a wasm-bindgen checkout: its libraries
      and CLI) adds the point <worker>+<wasm-bindgen>+source, built from those trees (the
      wasm-bindgen of the workers-rs tree's lock unless given), judged beside the newest release
      (or the --only points) with what it changed printed; a commit in a tree rebuilds it.
      --known-bugs runs only what harness/releases/known-bugs.json needs and asserts each real
      bug present at its last affected point and gone at its fix (exit 1 when one is not; a
      regression among the points it picks is printed, not judged: its newest is not the newest release).
      --from DIR judges the histories an earlier \`wrh releases --out DIR\` saved again, with this
      checkout's checkers, and prints and writes the table; it builds and runs nothing.
      ${PARALLEL_USAGE}
      ${DEADLINE_USAGE}`,
} as const;

export type CommandName = keyof typeof COMMAND_USAGE;

export const EXIT_CODES = `Exit codes: 0 success (for run: no guarantee broke, or on a real workers-rs build only known
limitations did; unknown ones are listed, not passed), 1 the work failed (a build failed, a
guarantee broke: on a real build, upstream's promise or a NEW break, or any with --strict; or
with --require-observed one was not observed), 2 bad input or environment, 3 a harness error (a
run the harness could not complete: its failure, not the worker's).`;

export const USAGE = `wrh — fault-injection harness for Rust Workers

Usage:
${Object.values(COMMAND_USAGE).join("\n")}
  wrh <command> --help
  wrh help

${EXIT_CODES}`;

/** `args` ask for help instead of running the command. */
export function wantsHelp(args: readonly string[]): boolean {
  return args.includes("--help") || args.includes("-h");
}

/** One command's help, as `wrh <command> --help` prints it. */
export function commandHelp(command: CommandName): string {
  return `Usage:\n${COMMAND_USAGE[command]}\n\n${EXIT_CODES}`;
}

/** An option's values, each checked against `choices`; undefined when the option was not given. */
export function pick<T extends string>(values: string[] | undefined, choices: readonly T[], option: string): T[] | undefined {
  if (!values?.length) return undefined;
  return values.map((value) => {
    if (!choices.includes(value as T)) throw new UsageError(`--${option} ${value}: choose from ${choices.join(", ")}`);
    return value as T;
  });
}
