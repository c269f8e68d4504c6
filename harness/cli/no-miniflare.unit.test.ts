// The checkers, the reports and `wrh report` never load Miniflare: judging a saved history needs
// no worker. Each case runs Node in a child process with a module-resolution hook that logs
// every module it resolves, then asserts nothing resolved into node_modules/miniflare. A
// control case shows the hook does see Miniflare where it is loaded.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { resets } from "../../scenarios/expectations.ts";
import { judgeRun } from "../checkers/index.ts";
import { failed, fault, info, release, run, runtime, sibling } from "../testing/synthetic.ts";
import { countRuns, exitStatus } from "../checkers/verdict.ts";
import { appendHistory, readHistory } from "../history/file.ts";
import { PROJECT_ROOT } from "../project.ts";

const NODE = join(PROJECT_ROOT, "node_modules/.bin/node");
const MINIFLARE = "/node_modules/miniflare/";

// Logs the URL of every module Node resolves (one a line) to $WRH_RESOLVED_LOG, at exit.
const HOOK = `
import { registerHooks } from "node:module";
import { writeFileSync } from "node:fs";
const resolved = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); resolved.push(r.url); return r; } });
process.on("exit", () => writeFileSync(process.env.WRH_RESOLVED_LOG, resolved.join("\\n")));
`;

let dir: string;
let hook: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wrh-graph-"));
  hook = join(dir, "log-resolved.mjs");
  writeFileSync(hook, HOOK);
});

/** Runs node with the hook; returns what it did and every module URL it resolved. */
function traced(args: string[]): { status: number | null; stdout: string; stderr: string; resolved: string[] } {
  const log = join(mkdtempSync(join(dir, "run-")), "resolved.txt");
  const result = spawnSync(NODE, ["--import", pathToFileURL(hook).href, ...args], {
    encoding: "utf8", cwd: PROJECT_ROOT, env: { ...process.env, WRH_RESOLVED_LOG: log },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, resolved: readFileSync(log, "utf8").split("\n") };
}

/** Imports `modules` (paths from the project root) in a fresh Node. */
const importing = (modules: string[]) =>
  traced(["--input-type=module", "-e", modules.map((m) => `await import(${JSON.stringify(pathToFileURL(join(PROJECT_ROOT, m)).href)});`).join("\n")]);

const project = (url: string) => url.startsWith(pathToFileURL(PROJECT_ROOT).href) ? url.slice(pathToFileURL(PROJECT_ROOT).href.length + 1) : url;
const fromMiniflare = (resolved: string[]) => resolved.filter((url) => url.includes(MINIFLARE));

describe("the checkers and reports load no Miniflare", () => {
  it("control: the hook sees Miniflare where it is loaded (the runner)", () => {
    const { status, resolved } = importing(["harness/runner/start-worker.ts"]);
    expect(status).toBe(0);
    expect(fromMiniflare(resolved).length).toBeGreaterThan(0);
  });

  it("importing harness/checkers/index.ts and harness/report/{table,json,junit,html}.ts resolves nothing in miniflare", () => {
    const modules = ["harness/checkers/index.ts", ...["table", "json", "junit", "html"].map((r) => `harness/report/${r}.ts`)];
    const { status, stderr, resolved } = importing(modules);
    expect(status, stderr).toBe(0);
    // The hook saw the graph: every checker was resolved.
    expect(resolved.map(project)).toEqual(expect.arrayContaining(["harness/checkers/verdict.ts", "harness/checkers/state-survival.ts", "harness/report/html.ts"]));
    expect(fromMiniflare(resolved), `resolved: ${resolved.map(project).filter((u) => !u.startsWith("node:")).join(", ")}`).toEqual([]);
  });
});

describe("wrh report loads no Miniflare and exits as exitStatus says", () => {
  const healthy = (runId: string) => run(resets(["Abort"]), [
    info(runtime(1)), sibling("inflight", failed("StaleInstance")), fault("Abort"), release(0), sibling("later"), info(runtime(2)),
  ], { runId });
  // The fault ended as a class reset does not allow: classification is broken.
  const misclassified = (runId: string) => run(resets(["Abort"]), [
    info(runtime(1)), sibling("inflight", failed("StaleInstance")), fault("PanicError"), release(0), sibling("later"), info(runtime(2)),
  ], { runId });

  const report = (history: string) => {
    const out = mkdtempSync(join(dir, "out-"));
    return { out, ...traced([join(PROJECT_ROOT, "harness/cli/wrh.ts"), "report", history, "--report", "json", "--out", out]) };
  };
  const expectedExit = (history: string) => {
    const results = readHistory(history).map(judgeRun);
    return exitStatus({ counts: countRuns(results), results });
  };

  // The harness could not complete it: kept in the history with why, judged by no checker.
  const stalled = (runId: string) => ({ ...run(resets(["Abort"]), [], { runId }), error: "the run: no progress within 120 s" });

  it.each([
    ["every guarantee holds", [healthy("synthetic/a/reset/shared/1")]],
    ["one run broke a guarantee", [healthy("synthetic/a/reset/shared/1"), misclassified("synthetic/b/reset/shared/1")]],
    ["one run the harness could not complete", [healthy("synthetic/a/reset/shared/1"), stalled("synthetic/c/reset/shared/1")]],
  ])("%s", (_, runs) => {
    const history = join(mkdtempSync(join(dir, "history-")), "history.jsonl");
    for (const r of runs) appendHistory(history, r);
    const judged = runs.map(judgeRun);
    const expected = exitStatus({ counts: countRuns(judged) });
    expect(expected).toBe(judged.some((j) => j.status === "error") ? 3 : judged.some((j) => j.status === "broken") ? 1 : 0);

    const { status, stdout, stderr, resolved, out } = report(history);
    expect(status, stderr).toBe(expected);
    expect(resolved.map(project)).toContain("harness/cli/report-command.ts");
    expect(fromMiniflare(resolved)).toEqual([]);
    expect(stdout).toMatch(/synthetic/);
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).counts).toEqual(countRuns(judged));
  });

  it("judges a saved real history (docs/findings) the same way", () => {
    const history = join(PROJECT_ROOT, "docs/findings/real-workers-rs-0.8.7.history.jsonl");
    const { status, resolved } = report(history);
    expect(fromMiniflare(resolved)).toEqual([]);
    expect(status).toBe(expectedExit(history));
  });
});
