// `wrh releases`: builds the real canary at each release point (harness/releases/points.json)
// in every worker-build mode, runs the catalog against each build and prints the release ×
// mode × scenario table, regressions grouped by the finding behind them; exit 1 when the newest
// point breaks upstream's own promises or any point shows a break no finding explains.
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { BuildError } from "../build/build.ts";
import { buildReal, REAL_MODE_NAMES, REAL_MODES } from "../build/real-build.ts";
import { ToolchainError } from "../build/toolchain.ts";
import { suggestion } from "../engine/field-checker.ts";
import { loadScenarios } from "../engine/load-scenarios.ts";
import { judgeRun } from "../checkers/index.ts";
import { historyRuns } from "../history/file.ts";
import { TOPOLOGIES, type Topology } from "../history/scenario.ts";
import { runMatrix } from "../matrix/matrix.ts";
import { IN_CLONE, onlyInClone } from "../project.ts";
import { knownBugs, pointSource, releasePoints, SOURCE_NAMES, type SourceTrees, sourcePoint } from "../releases/releases.ts";
import {
  compareFix, fixComparisonLines, flippedCells, groupRegressions, judgeKnownBugs, unpatchedPoints, regressionGroupLine, regressionLine, type ReleaseMatrix, regressions, releaseCells, renderReleaseHtml,
  renderReleaseTable,
} from "../report/releases.ts";
import { say } from "./commands.ts";
import { outputDir, shown, timestamp, writingInto } from "./output-dir.ts";
import { deadlineOption, parallelOption, progressLine, repeatOption, selectScenarios } from "./run-command.ts";
import { COMMAND_OPTIONS, pick, UsageError } from "./usage.ts";
import { duration } from "../duration.ts";

/** `--source NAME=PATH`s: checkouts to build from, checked before anything runs. */
function sourceTrees(given: readonly string[]): SourceTrees | undefined {
  if (!given.length) return undefined;
  const trees: SourceTrees = {};
  for (const value of given) {
    const [name, path] = [value.slice(0, value.indexOf("=")), value.slice(value.indexOf("=") + 1)];
    if (!value.includes("=") || !SOURCE_NAMES.includes(name as keyof SourceTrees)) {
      throw new UsageError(`--source ${value}: give NAME=PATH with NAME one of ${SOURCE_NAMES.join(", ")} (a workers-rs or a wasm-bindgen checkout)`);
    }
    if (!path || !existsSync(path)) throw new UsageError(`--source ${value}: ${path || "the path"} does not exist`);
    if (trees[name as keyof SourceTrees]) throw new UsageError(`--source ${name} given twice`);
    trees[name as keyof SourceTrees] = path;
  }
  return trees;
}

/** A points file of the user's: what is wrong with it is bad input (exit 2), not a failed build. */
function userPoints(file: string) {
  try {
    return releasePoints(resolve(file));
  } catch (error) {
    if (error instanceof BuildError) throw new UsageError(`--points ${error.message}`);
    throw error;
  }
}

export async function releasesCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: COMMAND_OPTIONS.releases });
  if (!IN_CLONE) throw new UsageError(onlyInClone("wrh releases"));
  const all = values.points ? userPoints(values.points) : releasePoints();
  for (const name of values.only ?? []) {
    if (!all.some((p) => p.name === name)) throw new UsageError(`--only ${name}: no such release point${suggestion(name, all.map((p) => p.name))}; they are ${all.map((p) => p.name).join(", ")}`);
  }
  // --known-bugs: exactly the points, modes, scenarios and topologies the known bugs need.
  const bugs = values["known-bugs"] ? knownBugs() : [];
  const only = values["known-bugs"] ? bugs.flatMap((b) => [b.lastAffected, b.fixedIn]) : values.only;
  // Patched points are fix candidates, judged only when named: the release matrix is of releases.
  const releases = all.filter((p) => !p.patches?.length);
  const trees = sourceTrees(values.source ?? []);
  if (trees && values["known-bugs"]) throw new UsageError("--source and --known-bugs do not go together: --known-bugs judges release points only");
  // Local checkouts are judged beside the newest release (or the points --only names).
  const points = only ? all.filter((p) => only.includes(p.name)) : trees ? releases.slice(-1) : releases;
  if (trees) points.push(sourcePoint(trees, releases.at(-1)!));
  // The --no-opt modes unless named: a point's wasm-opt builds are there to compare with them.
  const modeNames = (values["known-bugs"] ? bugs.map((b) => b.mode) : pick(values.mode, REAL_MODE_NAMES, "mode")) ?? REAL_MODES.filter((m) => !m.wasmOpt).map((m) => m.name);
  const modes = REAL_MODES.filter((m) => modeNames.includes(m.name));
  const topologies = (values["known-bugs"] ? [...new Set(bugs.map((b) => b.topology))] : pick(values.topology, TOPOLOGIES, "topology")) as Topology[] | undefined;
  const catalog = await loadScenarios();
  const scenarios = selectScenarios(catalog, values["known-bugs"] ? bugs.map((b) => b.scenario) : values.scenario);
  const repeat = repeatOption(values.repeat);
  const parallel = parallelOption(values.parallel);
  const requestDeadlineMs = deadlineOption(values.deadline);

  // --from: the histories of an earlier run, judged again by this checkout's checkers.
  const from = values.from;
  if (from !== undefined) {
    if (values["known-bugs"]) throw new UsageError("--from and --known-bugs do not go together: --from judges the points a saved run has");
    const saved = points.filter((p) => existsSync(join(from, p.name, "history.jsonl")));
    if (!saved.length) throw new UsageError(`--from ${from}: no <point>/history.jsonl of a \`wrh releases --out\` there`);
    points.splice(0, points.length, ...saved);
  }
  const out = outputDir(values.out, `releases-${timestamp()}`);
  return writingInto(out, async () => {
    const matrix: ReleaseMatrix = { points, modes: modes.map((m) => m.name), cells: [], failedPoints: {} };
    const started = performance.now();
    for (const [index, point] of points.entries()) {
      const left = index ? ` (~${duration(((performance.now() - started) / index) * (points.length - index))} left)` : "";
      if (from !== undefined) {
        matrix.cells.push(...releaseCells(point.name, [...historyRuns(join(from, point.name, "history.jsonl"))].map(judgeRun)));
        continue;
      }
      say(`[${index + 1}/${points.length}] ${point.name}: worker ${point.worker}, worker-build ${point.workerBuild}, wasm-bindgen ${point.wasmBindgen}${left}`);
      try {
        const source = await pointSource(point, say);
        const built = await buildReal({ source, modes, log: (line) => say(`${point.name}: ${line}`) });
        say(`${point.name}: ${built.filter((b) => b.result === "built").length} of ${built.length} modes compiled, the rest up to date`);
        const result = await runMatrix({
          scenarios, variants: modes.map((m) => m.name), topologies, repeat, parallel, requestDeadlineMs, distRoot: source.distRoot,
          historyFile: join(out, point.name, "history.jsonl"),
          keepRecords: () => false,
          onProgress: (event) => process.stderr.write(`  ${point.name} ${progressLine(event)}\n`),
        });
        matrix.cells.push(...releaseCells(point.name, result.results));
      } catch (error) {
        if (!(error instanceof BuildError || error instanceof ToolchainError)) throw error;
        matrix.failedPoints[point.name] = error.message.split("\n")[0]!;
        say(`${point.name}: not judged: ${matrix.failedPoints[point.name]}`);
      }
    }
    if (from !== undefined) matrix.modes = matrix.modes.filter((mode) => matrix.cells.some((c) => c.mode === mode));
    const found = regressions(matrix);
    const bugVerdicts = judgeKnownBugs(matrix, bugs);
    // A patched point judged beside its base: what the fix changed, cell by cell.
    const fixes = matrix.points.filter((p) => p.base && matrix.points.some((b) => b.name === p.base)).map((p) => compareFix(matrix, p.base!, p.name));
    writeFileSync(join(out, "releases.json"), JSON.stringify({ ...matrix, regressions: found, regressionsByFinding: groupRegressions(matrix, found), knownBugs: bugVerdicts, fixes }, null, 2) + "\n");
    writeFileSync(join(out, "releases.html"), renderReleaseHtml(matrix, found));
    process.stdout.write(renderReleaseTable(matrix) + "\n\n");
    if (found.length) {
      process.stdout.write("Regressions (the newest release breaks what an older one kept), by root cause:\n");
      for (const group of groupRegressions(matrix, found)) {
        process.stdout.write(`  ${regressionGroupLine(group)}\n`);
        for (const r of found.filter((r) => (r.finding ?? "NEW").split("+").includes(group.finding))) process.stdout.write(`    ${regressionLine(r)}\n`);
      }
    } else {
      process.stdout.write("No regression: the newest release breaks no guarantee an older release of its mode kept.\n");
    }
    const newest = unpatchedPoints(matrix).at(-1)?.name;
    const brokenPromises = matrix.cells.filter((c) => c.point === newest && c.signal === "regression");
    const unexplained = matrix.cells.filter((c) => Object.values(c.findings).some((f) => f.split("+").includes("NEW")));
    for (const c of brokenPromises) process.stdout.write(`Upstream's promise broken at the newest point: ${c.mode} · ${c.scenario} (${c.topology}): ${Object.entries(c.broken).filter(([k]) => k.startsWith("upstream:")).map(([k, v]) => `${k}: ${v}`).join("; ")}\n`);
    for (const c of unexplained) process.stdout.write(`NEW (no finding explains it): ${c.point} ${c.mode} · ${c.scenario} (${c.topology}): ${Object.entries(c.findings).filter(([, f]) => f.split("+").includes("NEW")).map(([k]) => `${k}: ${c.broken[k]}`).join("; ")}\n`);
    const repeated = matrix.cells.filter((c) => c.runs > 1);
    if (repeated.length) {
      const flipped = flippedCells(matrix);
      process.stdout.write(`Flips: ${flipped.length} of ${repeated.length} cells had a verdict that differed between repeats${flipped.length ? ":" : "."}\n`);
      for (const c of flipped) process.stdout.write(`  ${c.point} ${c.mode} · ${c.scenario} (${c.topology}): ${c.outcomes.join(" | ")}\n`);
    }
    for (const v of bugVerdicts) process.stdout.write(`${v.bug.id} (${v.bug.title}): ${v.status}: ${v.detail}\n`);
    if (fixes.length) process.stdout.write(`\nWhat each patched point changed against its base:\n${fixes.flatMap(fixComparisonLines).join("\n")}\n`);
    const wrote = `${shown(join(out, "releases.json"))}, ${shown(join(out, "releases.html"))}`;
    const judged = `${points.length} point${points.length === 1 ? "" : "s"}`;
    say(from === undefined
      ? `${judged} in ${duration(performance.now() - started)}; wrote ${wrote} and a history per point`
      : `${judged} judged again from ${shown(from)}; wrote ${wrote}`);
    // With --known-bugs the newest point judged is only the newest the bugs need, not the newest
    // release: what it breaks is printed, and only the bugs' verdicts decide. Otherwise a promise
    // of upstream's broken at the newest point, or a break no finding explains anywhere, fails
    // the command; regressions of known findings do only with --strict.
    if (values["known-bugs"]) {
      if (bugVerdicts.some((v) => v.status !== "present-then-fixed")) return 1;
    } else if (brokenPromises.length || unexplained.length || (values.strict && found.length)) {
      return 1;
    }
    return Object.keys(matrix.failedPoints).length ? 3 : 0;
  });
}
