// What a maintainer reads under the table: breaks of upstream's own promises (regressions),
// root causes instead of cells (each finding once, with the runs it shows in), breaks no
// finding explains (NEW), and cells whose repeats disagreed (flips). Pure: run results in, lines out.
import { findingById, findingIds, NEW_FINDING } from "../checkers/findings.ts";
import { cellOf, flips, repeatedCells } from "../checkers/flips.ts";
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
  /** The first few runs, for NEW: where to look. */
  examples: string[];
}

const EXAMPLES = 5;

/** The findings behind the broken verdicts of `results` (real builds), most runs first; NEW last. */
export function findingGroups(results: readonly RunResult[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup & { cellSet: Set<string> }>();
  for (const r of results) {
    const seen = new Set<string>();
    for (const v of [...r.verdicts, ...(r.upstream ?? [])].filter(isBroken)) for (const id of findingIds(v)) {
      const group = groups.get(id) ?? { id, title: findingById(id)?.title, runs: 0, cells: 0, builds: {}, checkers: [], examples: [], cellSet: new Set() };
      if (!group.checkers.includes(v.checker)) group.checkers.push(v.checker);
      if (!seen.has(id)) {
        seen.add(id);
        group.runs++;
        group.cellSet.add(cellOf(r));
        group.builds[r.config.variant] = (group.builds[r.config.variant] ?? 0) + 1;
        if (group.examples.length < EXAMPLES) group.examples.push(r.runId);
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
    const where = `${plural(g.runs, "run")} in ${plural(g.cells, "cell")} (${builds}); breaks ${g.checkers.join(", ")}`;
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
