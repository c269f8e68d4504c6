// `wrh`'s usage text and its bad-input error: what `wrh help` prints must not load the modules
// that run workers (Miniflare), so the text lives here and each command's module is loaded
// only when that command runs (harness/cli/commands.ts).
import { DEFAULT_MAX_MEMORY_BYTES } from "../build/build.ts";
import { REAL_MODE_NAMES } from "../build/real-build.ts";
import { VARIANT_NAMES } from "../build/variants.ts";
import { TOPOLOGIES } from "../engine/scenario.ts";
import { builtInProfiles } from "../profile/profile.ts";
import { MUTANT_NAMES, STRATEGIES } from "../protocol/recovery.ts";

/** Bad input: exit 2 with its message on one line. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const RUN_USAGE = `  wrh run [--scenario NAME]... [--strategy S]... [--variant V]... [--topology T]...
          [--repeat N] [--report json|junit|html]... [--out DIR] [--scenario-file FILE]... [--mutant M]...
          [--require-observed]
      Run fault scenarios against the canary in workerd and judge the histories. Prints a table
      (scenario × strategy: verdict, blast radius, recovery latency); writes history.jsonl and
      the requested reports to --out (default wrh-out/<time>). Strategies: ${STRATEGIES.join(", ")};
      topologies: ${TOPOLOGIES.join(", ")}; all by default. Builds (--variant): the reference
      runtime's ${VARIANT_NAMES.join(", ")} (or \`reference\` for all three) and real workers-rs's
      ${REAL_MODE_NAMES.join(", ")} (or \`real\`); all by default. A real build runs under the one
      strategy its mode recovers by. --mutant (test only, reference builds): ${MUTANT_NAMES.join(", ")}.
      A verdict is holds, broken or unknown (not observed: never a pass); --require-observed
      makes an unknown fail the run (exit 1).
  wrh run --worker <wrangler.toml|built dir> [--profile NAME|FILE] [--strategy reset|unwind] [...]
      The same against a worker of your own, through a profile that maps the harness's
      operations onto its routes (built in: ${builtInProfiles().join(", ")}; default workers-rs-test).
      Runs the scenarios the profile supports; the strategy is detected from how the worker
      answers a panic unless given.
  wrh list [--scenario-file FILE]...
      List the scenarios and what each strategy must make of them.`;

export const REPRO_USAGE = `  wrh repro <scenario> [--strategy S] [--variant V] [--topology T] [--seed N] [--out DIR]
          [--worker <wrangler.toml|built dir> [--profile NAME|FILE]] [--scenario-file FILE]...
      Run one scenario once and write history.jsonl and a self-contained report.html: a
      timeline of every operation (coloured by outcome, the fault and generation changes
      marked), the verdicts and their evidence. Strategy reset by default; the build follows
      it (none/reset: abort, unwind: unwind). A real workers-rs build (--variant real-abort,
      real-unwind, real-unwind-exnref, real-legacy) brings its own strategy. --seed varies the
      data siblings carry.`;

export const REPORT_USAGE = `  wrh report <history.jsonl> [--report json|junit|html]... [--out DIR]
      Judge a saved history again (no worker runs) and re-render its reports: the table, and
      report.html by default, next to the history unless --out says otherwise.`;

export const USAGE = `wrh — fault-injection harness for Rust Workers

Usage:
  wrh build [--variant NAME]... [--max-memory SIZE] [--force]
      Compile the workers into dist/<variant>/ (canary.wasm, worker.js, manifest.json).
      Variants: ${VARIANT_NAMES.join(", ")} (default: all of these). Unchanged inputs are not recompiled.
      Real workers-rs builds (workers/real-canary by the real worker-build and wasm-bindgen CLI,
      installed from crates.io on first use): ${REAL_MODE_NAMES.join(", ")}, or \`real\` for all
      four; each lands in dist/<mode>/ (index.js, index_bg.wasm, manifest.json).
      --max-memory caps linear memory so OOM is a real allocation failure
      (bytes, or with KiB/MiB/GiB; default ${DEFAULT_MAX_MEMORY_BYTES / 1024 / 1024}MiB).
  wrh setup
      Find a Rust toolchain that can build wasm32 offline (installing Debian's packages when
      running as root on Debian), build every variant, then install worker-build and the
      wasm-bindgen CLI from crates.io (cached) and build every real mode. Run by \`npm run setup\`.
  wrh toolchain
      Print the Rust toolchain wrh would build with.
${RUN_USAGE}
${REPRO_USAGE}
${REPORT_USAGE}
  wrh help

Exit codes: 0 success (for run: no guarantee broke; unknown ones are listed, not passed), 1 the
work failed (a build failed, a guarantee broke, or with --require-observed one was not
observed), 2 bad input or environment, 3 a harness error (a run the harness could not complete:
its failure, not the worker's).`;

/** An option's values, each checked against `choices`; undefined when the option was not given. */
export function pick<T extends string>(values: string[] | undefined, choices: readonly T[], option: string): T[] | undefined {
  if (!values?.length) return undefined;
  return values.map((value) => {
    if (!choices.includes(value as T)) throw new UsageError(`--${option} ${value}: choose from ${choices.join(", ")}`);
    return value as T;
  });
}
