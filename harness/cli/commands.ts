// The commands of `wrh`, the harness's command line (harness/cli/wrh.ts is the executable).
import { parseArgs } from "node:util";
import { buildVariants } from "../build/build.ts";
import { REAL_MODES, REAL_MODE_NAMES, type RealMode, buildReal, realModeByName } from "../build/real-build.ts";
import { ToolchainError, ensureToolchain, findToolchain, INSTALL_HINT } from "../build/toolchain.ts";
import { VARIANT_NAMES, VARIANTS, type Variant, variantByName } from "../build/variants.ts";
import { IN_CLONE, onlyInClone } from "../project.ts";
import { COMMAND_OPTIONS, COMMAND_USAGE, type CommandName, commandHelp, UsageError, USAGE, wantsHelp } from "./usage.ts";

// Each of run, list, repro and report has its module loaded only when it runs: run, list and
// repro bring the engine and Miniflare; report (a saved history judged again) and help never do.

const SIZE_UNITS: Record<string, number> = { "": 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

export function parseSize(text: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new UsageError(`--max-memory: cannot read "${text}"; use bytes or a number with KiB, MiB or GiB`);
  return Number(match[1]) * unit;
}

/** The reference variants and real modes named by --variant; none named means every reference variant. */
export function selectVariants(names: string[] | undefined): { reference?: Variant[]; real: RealMode[] } {
  if (!names?.length) return { reference: undefined, real: [] };
  const reference: Variant[] = [];
  const real: RealMode[] = [];
  for (const name of names) {
    const variant = variantByName(name);
    const mode = realModeByName(name);
    if (variant) reference.push(variant);
    else if (mode) real.push(mode);
    else if (name === "real") real.push(...REAL_MODES);
    else if (name === "reference") reference.push(...VARIANTS);
    else throw new UsageError(`unknown variant "${name}"; choose from ${[...VARIANT_NAMES, ...REAL_MODE_NAMES, "reference", "real"].join(", ")}`);
  }
  return { reference: [...new Set(reference)], real: [...new Set(real)] };
}

export function say(line: string): void {
  process.stderr.write(`wrh: ${line}\n`);
}

/** Runs one command line; resolves to the exit code, or rejects (see `exitCodeFor`). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && Object.hasOwn(COMMAND_USAGE, command) && wantsHelp(rest)) {
    process.stdout.write(commandHelp(command as CommandName) + "\n");
    return 0;
  }
  switch (command) {
    case "build": {
      const { values } = parseArgs({
        args: rest,
        options: COMMAND_OPTIONS.build,
      });
      const maxMemoryBytes = values["max-memory"] === undefined ? undefined : parseSize(values["max-memory"]);
      if (values.crate !== undefined) {
        if (values.variant?.length) throw new UsageError("--variant applies to the canary builds, not to --crate");
        if (values.force) throw new UsageError("--force applies to the canary builds, not to --crate (worker-build and cargo decide what to rebuild)");
        // The one build an installed package can do: it needs the user's crate, not this clone's sources.
        return (await import("./build-crate-command.ts")).buildCrateCommand({
          crate: values.crate, panicUnwind: values["panic-unwind"], dev: values.dev, noOpt: values["no-opt"], maxMemoryBytes,
        }, say);
      }
      for (const option of ["panic-unwind", "dev", "no-opt"] as const) {
        if (values[option]) throw new UsageError(`--${option} applies to a crate of your own: wrh build --crate PATH --${option}`);
      }
      if (!IN_CLONE) throw new UsageError(onlyInClone("wrh build"));
      const selected = selectVariants(values.variant);
      if (selected.reference === undefined || selected.reference.length > 0) {
        await buildVariants({ variants: selected.reference, maxMemoryBytes, force: values.force });
      }
      if (selected.real.length > 0) await buildReal({ modes: selected.real, maxMemoryBytes, force: values.force });
      return 0;
    }
    case "setup": {
      parseArgs({ args: rest, options: COMMAND_OPTIONS.setup });
      if (!IN_CLONE) throw new UsageError(onlyInClone("wrh setup"));
      const toolchain = ensureToolchain(say);
      say(`Rust toolchain: ${toolchain.version} (${toolchain.kind}, ${toolchain.rustc})`);
      await buildVariants({ toolchain });
      say(`real workers-rs builds (${REAL_MODE_NAMES.join(", ")}): worker-build and the wasm-bindgen CLI come from crates.io, once`);
      await buildReal({ toolchain, log: say });
      say("setup complete; run `npm test`");
      return 0;
    }
    case "run":
      return (await import("./run-command.ts")).runCommand(rest);
    case "list":
      return (await import("./run-command.ts")).listCommand(rest);
    case "repro":
      return (await import("./repro-command.ts")).reproCommand(rest);
    case "report":
      return (await import("./report-command.ts")).reportCommand(rest);
    case "init":
      return (await import("./init-command.ts")).initCommand(rest);
    case "releases":
      return (await import("./releases-command.ts")).releasesCommand(rest);
    case "toolchain": {
      parseArgs({ args: rest, options: COMMAND_OPTIONS.toolchain });
      const toolchain = findToolchain();
      if (!toolchain) throw new ToolchainError(INSTALL_HINT);
      process.stdout.write(JSON.stringify(toolchain, null, 2) + "\n");
      return 0;
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE + "\n");
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"; see \`wrh help\``);
  }
}

