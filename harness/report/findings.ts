// What a maintainer reads under the table: breaks of upstream's own promises (regressions),
// root causes instead of cells (each finding once, with the runs it shows in), breaks no
// finding explains (NEW), and cells whose repeats disagreed (flips). Pure: run results in, lines out.
import { findingById, findingIds, NEW_FINDING } from "../checkers/findings.ts";
import { cellOf, flips, outcomeOf, repeatedCells } from "../checkers/flips.ts";
import type { RunResult } from "../checkers/index.ts";
import { isBroken } from "../checkers/verdict.ts";

/** One root cause as the runs show it. */
export interface FindingGroup {
  /** A finding's id, or NEW. */
  id: string;
  title?: string;
  runs: number;
  /** Distinct cells (scenario × build × topology) it showed in. */
  cells: number;
  /** Runs by build. */
  builds: Record<string, number>;
  /** The guarantees it broke. */
  checkers: string[];
  /** How the builds it showed on were made: rustc and its source, wasm-opt on or off. */
  toolchains: string[];
  /** The first few runs, for NEW: where to look. */
  examples: string[];
}

const EXAMPLES = 5;

/** A real build's toolchain in a few words: `rustc 1.96.0 (debian), wasm-opt off`. */
export function toolchainOf(r: Pick<RunResult, "history">): string | undefined {
  const build = r.history.build;
  return build && `${build.rustc.split(" ").slice(0, 2).join(" ")} (${build.toolchain}), wasm-opt ${build.wasmOpt ? "on" : "off"}`;
}

/** The findings behind the broken verdicts of `results` (real builds), most runs first; NEW last. */
export function findingGroups(results: readonly RunResult[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup & { cellSet: Set<string> }>();
  for (const r of results) {
    const seen = new Set<string>();
    for (const v of [...r.verdicts, ...(r.upstream ?? [])].filter(isBroken)) for (const id of findingIds(v)) {
      const group = groups.get(id) ?? { id, title: findingById(id)?.title, runs: 0, cells: 0, builds: {}, checkers: [], toolchains: [], examples: [], cellSet: new Set() };
      if (!group.checkers.includes(v.checker)) group.checkers.push(v.checker);
      if (!seen.has(id)) {
        seen.add(id);
        group.runs++;
        group.cellSet.add(cellOf(r));
        group.builds[r.config.variant] = (group.builds[r.config.variant] ?? 0) + 1;
        if (group.examples.length < EXAMPLES) group.examples.push(r.runId);
        const toolchain = toolchainOf(r);
        if (toolchain && !group.toolchains.includes(toolchain)) group.toolchains.push(toolchain);
      }
      groups.set(id, group);
    }
  }
  return [...groups.values()]
    .map(({ cellSet, ...group }) => ({ ...group, cells: cellSet.size }))
    .sort((a, b) => Number(a.id === NEW_FINDING) - Number(b.id === NEW_FINDING) || b.runs - a.runs);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function findingLines(groups: readonly FindingGroup[]): string[] {
  if (!groups.length) return [];
  const out = ["", "Findings on real builds, one root cause each (docs/findings.md):"];
  for (const g of groups) {
    const builds = Object.entries(g.builds).map(([build, n]) => `${build} ${n}`).join(", ");
    const where = `${plural(g.runs, "run")} in ${plural(g.cells, "cell")} (${builds}); breaks ${g.checkers.join(", ")}` +
      `${g.toolchains.length ? `; built with ${g.toolchains.join(" / ")}` : ""}`;
    out.push(g.id === NEW_FINDING
      ? `  NEW: no finding explains it, and it fails the run: ${where}; e.g. ${g.examples.join(", ")}`
      : `  ${g.id}: ${g.title ?? "(not in the registry)"}: ${where}`);
  }
  if (groups.some((g) => g.id !== NEW_FINDING)) out.push("  Known limitations are printed and do not fail the run; --strict fails it on them.");
  return out;
}

/** Upstream's promises: how many runs they applied to, and each one broken (a regression). */
export function upstreamLines(results: readonly RunResult[]): string[] {
  const judged = results.filter((r) => r.upstream?.length);
  if (!judged.length) return [];
  const broken = judged.flatMap((r) => r.upstream!.filter(isBroken).map((v) => `  ${r.runId}: ${v.checker}: ${v.summary}`));
  const head = `Upstream's own promises (workers-rs test/tests/panic.spec.ts) applied to ${plural(judged.length, "run")}`;
  return broken.length
    ? ["", `${head}; broken, each a regression that fails the run:`, ...broken]
    : ["", `${head}: kept in every one.`];
}

const FLIPS_SHOWN = 30;

/** A cell of a real build and the same cell of its `-opt` twin whose runs came out differently. */
export interface OptDifference {
  /** The cell of the --no-opt build. */
  cell: string;
  noOpt: string[];
  opt: string[];
}

/** Cells where wasm-opt changed the outcome: every difference between a build and its -opt twin is a finding. */
export function optDifferences(results: readonly RunResult[]): { compared: number; differences: OptDifference[] } {
  const outcomes = new Map<string, Set<string>>();
  for (const r of results) {
    const set = outcomes.get(cellOf(r)) ?? new Set();
    set.add(outcomeOf(r));
    outcomes.set(cellOf(r), set);
  }
  let compared = 0;
  const differences: OptDifference[] = [];
  for (const [cell, noOpt] of outcomes) {
    const [scenario, variant, ...rest] = cell.split("/");
    if (!variant?.startsWith("real-") || variant.endsWith("-opt")) continue;
    const opt = outcomes.get([scenario, `${variant}-opt`, ...rest].join("/"));
    if (!opt) continue;
    compared++;
    const same = opt.size === noOpt.size && [...opt].every((o) => noOpt.has(o));
    if (!same) differences.push({ cell, noOpt: [...noOpt], opt: [...opt] });
  }
  return { compared, differences };
}

export function optLines(results: readonly RunResult[]): string[] {
  const { compared, differences } = optDifferences(results);
  if (!compared) return [];
  const out = ["", `wasm-opt: ${differences.length} of ${plural(compared, "cell")} came out differently on the -opt build than with --no-opt${differences.length ? ":" : "."}`];
  out.push(...differences.slice(0, FLIPS_SHOWN).map((d) => `  ${d.cell}: --no-opt ${d.noOpt.join(" | ")}; -opt ${d.opt.join(" | ")}`));
  if (differences.length > FLIPS_SHOWN) out.push(`  and ${differences.length - FLIPS_SHOWN} more (report.json lists them all)`);
  return out;
}

/** Cells run more than once whose runs disagreed; those that race on purpose apart. */
export function flipLines(results: readonly RunResult[]): string[] {
  const repeated = repeatedCells(results);
  if (!repeated) return [];
  const found = flips(results);
  const unexplained = found.filter((f) => !f.races);
  const racing = found.filter((f) => f.races);
  const describe = (f: (typeof found)[number]) => `  ${f.cell}: ${f.outcomes.map((o) => `${o.outcome} (repeat ${o.repeats.join(", ")})`).join(" | ")}`;
  const out = ["", `Flips: ${unexplained.length} of ${plural(repeated, "cell")} run more than once had a verdict that differed between repeats${unexplained.length ? ":" : "."}`];
  out.push(...unexplained.slice(0, FLIPS_SHOWN).map(describe));
  if (unexplained.length > FLIPS_SHOWN) out.push(`  and ${unexplained.length - FLIPS_SHOWN} more (report.json lists them all)`);
  if (racing.length) out.push(`Flips in scenarios that race on purpose: ${racing.length}`, ...racing.map((f) => `${describe(f)} — races: ${f.races}`));
  return out;
}
