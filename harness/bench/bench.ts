// `npm run bench`: what each recovery strategy costs, measured side by side in one process,
// next to the physical limits (a raw instantiation, a request that did not fault, a raw export
// call). Prints a table and writes JSON. It reports; it never fails on a number. The real
// workers-rs builds (dist/real-…) are measured next to the reference runtime's wherever the same
// measurement applies: their glue's per-call cost, recovery latency, parking scale, catalog time.
import { cpus, totalmem, type } from "node:os";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { readManifest } from "../build/manifest.ts";
import { REAL_MODES, REAL_MODE_NAMES, type RealModeName, readRealManifest, realDistDir } from "../build/real-build.ts";
import { VARIANT_NAMES, type VariantName } from "../build/variants.ts";
import { loadScenarios } from "../engine/load-scenarios.ts";
import { ALL_BUILDS, runMatrix } from "../matrix/matrix.ts";
import type { RunResult } from "../checkers/index.ts";
import { DEFAULT_PARALLEL } from "../cli/usage.ts";
import { PROJECT_ROOT } from "../project.ts";
import { BUFFER_BYTES } from "../protocol/constants.ts";
import type { Strategy } from "../protocol/recovery.ts";
import { DEFAULT_REQUEST_DEADLINE_MS } from "../runner/deadline.ts";
import { withCanary } from "../runner/start-worker.ts";
import { pointDistRoot, releasePoints } from "../releases/releases.ts";
import { OPERATIONS, type Operation, perOperationCost } from "./in-worker.ts";
import { startInstantiateBench } from "./instantiate-worker.ts";
import { harnessOverhead } from "./overhead.ts";
import { recoveryLatency } from "./recovery-latency.ts";
import { type ScaleResult, scale } from "./scale.ts";
import { apart, extraIn, type Summary, show, summarize, time, times } from "./stats.ts";
import { stormThroughput } from "./storm-throughput.ts";

/** The parallel matrix's request deadline unless --matrix-deadline says otherwise. */
const DEFAULT_FAST_DEADLINE_S = 3;

const USAGE = `Usage: npm run bench -- [--rounds N] [--matrix-repeats N] [--matrix-deadline S] [--no-suite]
  Measures what each recovery strategy costs, the harness's own cost, parking scale and the
  suite's time, side by side in one process; prints a table and writes bench-out/latest.json.
  --rounds N            interleaved rounds per figure (default 7); a figure is their median (min–max)
  --matrix-repeats N    runs of the whole matrix on ${DEFAULT_PARALLEL} workerd at once, each compared with the
                        one-at-a-time run's verdicts (default 1)
  --matrix-deadline S   the request deadline of those runs (\`wrh run --deadline\`; default ${DEFAULT_FAST_DEADLINE_S} s);
                        the one-at-a-time run keeps wrh's default (${DEFAULT_REQUEST_DEADLINE_MS / 1000} s)
  --no-suite            leave out the suite's cost (the whole matrix: the longest part)`;
const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "7" }, "no-suite": { type: "boolean", default: false }, "matrix-repeats": { type: "string", default: "1" },
    "matrix-deadline": { type: "string", default: String(DEFAULT_FAST_DEADLINE_S) }, help: { type: "boolean", default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const count = (name: string, text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`bench: --${name} must be a positive integer\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
};
const rounds = count("rounds", values.rounds);
/** Whole-matrix runs on PARALLEL workerd processes, each compared with the sequential one. */
const matrixRepeats = count("matrix-repeats", values["matrix-repeats"]);
/** The parallel matrix's request deadline: hung requests are judged sooner; answers near it are noted. */
const matrixDeadlineMs = Math.round(Number(values["matrix-deadline"]) * 1000);
if (!(matrixDeadlineMs >= 100)) {
  process.stderr.write(`bench: --matrix-deadline must be a number of seconds, at least 0.1\n${USAGE}\n`);
  process.exit(2);
}
/** workerd processes the parallel matrix runs at once: wrh's default, two per core. */
const PARALLEL = DEFAULT_PARALLEL;
const RECOVERING: readonly { variant: VariantName; strategy: Strategy }[] = [
  { variant: "abort", strategy: "reset" },
  { variant: "unwind", strategy: "unwind" },
  { variant: "unwind-exnref", strategy: "unwind" },
];
/** The real builds that recover (real-legacy never does), each by the one strategy its mode builds in. */
const REAL_RECOVERING: readonly { variant: RealModeName; strategy: Strategy }[] =
  REAL_MODES.filter((m) => m.recovery !== "none").map((m) => ({ variant: m.name, strategy: m.recovery as Strategy }));
/**
 * What the real canary's /__harness/bench measures: the same near-empty function as a raw
 * export and through wasm-bindgen's glue; a call costs tens of nanoseconds, so a request repeats
 * it a million times to rise above a request's noise. Its raw instantiation is measured by a
 * bench worker of its own (instantiate-worker.ts).
 */
const REAL_CALLS: readonly Operation[] = ["raw-call", "guarded-call"];
const REAL_CALL_COUNTS = { "raw-call": 1_000_000, "guarded-call": 1_000_000 };
/** Parked siblings per scale run; each run starts a fresh workerd. */
const SCALE_SIZES = [10, 1_000, 10_000];
/**
 * The checked buffer a scaled park holds. The catalog's parks hold the protocol's whole buffer
 * (16 KiB: a wide target for a stray write); at 10,000 parks that alone is 160 MiB, more than the
 * 64 MiB cap, so the scale runs hold 1 KiB, which still proves the bytes survived.
 */
const SCALE_HELD_BYTES = 1_024;
/** Parks per bytes-per-park measurement: enough that the per-park share of fixed costs is small. */
const BREAKDOWN_PARKS = 2_000;
/** Requests per round of the harness-overhead comparison: enough that a round lasts ~0.2 s. */
const OVERHEAD_REQUESTS = 200;
const lines: string[] = [];
const say = (line = "") => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
const progress = (what: string) => process.stderr.write(`bench: ${what}…\n`);

const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { os: type(), cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  versions: {
    node: process.version,
    rustc: readManifest("unwind")?.toolchain.rustc,
    miniflare: (await import("miniflare/package.json", { with: { type: "json" } })).default.version,
  },
  variants: Object.fromEntries([
    ...(["abort", "unwind", "unwind-exnref"] as const).map((v) => [v, { wasmBytes: readManifest(v)?.wasm.bytes }]),
    ...REAL_MODE_NAMES.map((v) => {
      const manifest = readRealManifest(v);
      return [v, { wasmBytes: manifest?.wasm.bytes, worker: manifest?.versions.worker, wasmBindgen: manifest?.versions.wasmBindgen }];
    }),
  ]),
  rounds,
};

say(`# wrh bench — ${report.date}, ${cpus().length} × ${cpus()[0]?.model}, median (min–max) of ${rounds} rounds`);

// Shim overhead and the cost of a raw instantiation, inside workerd.
say("\n## Inside workerd: cost per operation (µs); overhead = guarded ÷ raw");
say("build            instantiate          raw call          guarded call      overhead   raw async         guarded async     overhead");
const inWorker: Record<string, unknown> = {};
for (const variant of ["abort", "unwind", "unwind-exnref"] as const) {
  progress(`inside workerd, ${variant} build`);
  await withCanary({ variant }, async (worker) => {
    // Recovering from OOM leaves 64 MiB memories to collect, which slows whatever runs next:
    // it is measured on its own, after the rest.
    const cost = {
      ...(await perOperationCost(worker, rounds, (Object.keys(OPERATIONS) as Operation[]).filter((op) => op !== "recover-oom"))),
      ...(await perOperationCost(worker, rounds, ["recover-oom"])),
    };
    inWorker[variant] = cost;
    say(`${variant.padEnd(16)} ${show(cost.instantiate, "").padEnd(20)} ${show(cost["raw-call"], "", 3).padEnd(17)} ${show(cost["guarded-call"], "", 3).padEnd(17)} ` +
      `${times(cost["guarded-call"], cost["raw-call"], 3).padEnd(10)} ${show(cost["raw-async"], "", 3).padEnd(17)} ${show(cost["guarded-async"], "", 3).padEnd(17)} ` +
      `${times(cost["guarded-async"], cost["raw-async"], 3)}`);
  });
}
for (const { variant } of REAL_RECOVERING) {
  progress(`inside workerd, ${variant} build (raw instantiate in a bench worker; raw export vs wasm-bindgen glue)`);
  const bench = await startInstantiateBench(variant);
  let instantiate: Summary;
  try {
    instantiate = (await perOperationCost(bench, rounds, ["instantiate"])).instantiate;
  } finally {
    await bench.dispose();
  }
  await withCanary({ variant }, async (worker) => {
    const calls = await perOperationCost(worker, rounds, REAL_CALLS, REAL_CALL_COUNTS);
    inWorker[variant] = { ...calls, instantiate };
    say(`${`${variant} (glue)`.padEnd(16)} ${show(instantiate, "").padEnd(20)} ${show(calls["raw-call"], "", 3).padEnd(17)} ${show(calls["guarded-call"], "", 3).padEnd(17)} ` +
      `${times(calls["guarded-call"], calls["raw-call"], 3).padEnd(10)} —                 —                 —`);
  });
}
report.inWorker = inWorker;

say(`\n## The harness's own cost per request (µs): the same GET of /ok as a scenario operation vs bare on the harness's route to the worker ` +
  "(its driver's socket) and vs Miniflare's dispatchFetch (under the runner's deadline: how a test without the harness sends it) (target ≤ 10 % more)");
const overhead: Record<string, unknown> = {};
for (const variant of ["unwind", "real-unwind"] as const) {
  progress(`harness overhead, ${variant} build`);
  await withCanary({ variant }, async (worker) => {
    const measured = await harnessOverhead(worker, rounds, OVERHEAD_REQUESTS);
    overhead[variant] = measured;
    const against = (baseline: Summary) => {
      const percent = (measured.harness.median / baseline.median - 1) * 100;
      const more = percent >= 0 ? `+${percent.toFixed(1)} %` : `${(-percent).toFixed(1)} % less`;
      return apart(measured.harness, baseline) ? `${times(measured.harness, baseline)} (${more})` : times(measured.harness, baseline, 1);
    };
    say(`${variant.padEnd(16)} harness ${show(measured.harness, "", 1).padEnd(22)} bare ${show(measured.bare, "", 1).padEnd(22)} ` +
      `dispatchFetch ${show(measured.dispatchFetch, "", 1).padEnd(22)} vs bare: ${against(measured.bare)}; vs dispatchFetch: ${against(measured.dispatchFetch)}`);
  });
}
report.harnessOverhead = overhead;

say("\n## Recovery inside workerd: a fault and the next call, beyond two plain calls (µs)");
for (const variant of ["abort", "unwind", "unwind-exnref"] as const) {
  const cost = inWorker[variant] as Record<string, Summary>;
  const instantiate = { size: cost.instantiate!.median, name: "a raw instantiate" };
  say(`${variant} (${variant === "abort" ? "reset" : "unwind"}), raw instantiate ${cost.instantiate!.median.toFixed(1)} µs:`);
  for (const fault of ["panic", "js-error", "abort", "stack-overflow", "oom"]) {
    say(`  ${fault.padEnd(15)} ${extraIn(cost[`recover-${fault}`]!, cost["no-recover"]!, "µs", instantiate, 1)}`);
  }
}

// Recovery latency per strategy and fault kind.
say("\n## Recovery latency: fault's response → next response (ms)");
const recovery: Record<string, unknown> = {};
/** One build's recovery latency, printed and kept under `strategy/variant` (+label for a fix candidate). */
async function measureRecovery(variant: VariantName | RealModeName, strategy: Strategy, fix?: { label: string; distRoot: string }): Promise<void> {
  const name = fix ? `${variant}, ${fix.label}` : variant;
  progress(`recovery latency, ${strategy} on ${name}`);
  await withCanary({ variant, strategy, ...(fix ? { distRoot: fix.distRoot } : {}) }, async (worker) => {
    const measured = await recoveryLatency(worker, rounds);
    const instantiateUs = (inWorker[variant] as Record<string, { median: number }>).instantiate!.median;
    recovery[`${strategy}/${variant}${fix ? `+${fix.label}` : ""}`] = { ...measured, instantiateMs: instantiateUs / 1000 };
    say(`${strategy} (${name}): no fault ${show(measured.noFault, "ms")}; raw instantiate ${(instantiateUs / 1000).toFixed(3)} ms`);
    for (const [fault, summary] of Object.entries(measured.afterFault)) {
      say(`  after ${fault.padEnd(15)} ${show(summary, "ms").padEnd(26)} ${times(summary, measured.noFault, 3)} no-fault; ` +
        `extra ${extraIn(summary, measured.noFault, "ms", { size: instantiateUs / 1000, name: "a raw instantiate" }, 3)}`);
    }
  });
}
for (const { variant, strategy } of [...RECOVERING, ...REAL_RECOVERING]) await measureRecovery(variant, strategy);

// The same on fix candidates built by `wrh releases --only <point>` (harness/releases/points.json):
// what a fix buys, beside the release's figures above, in the same run.
const FIXES = releasePoints().filter((p) => p.patches?.length && existsSync(pointDistRoot(p)));
if (FIXES.length) say("\nFix candidates (built by `wrh releases --only <point>`), the same measurement:");
for (const point of FIXES) {
  for (const { variant, strategy } of REAL_RECOVERING.filter(({ variant }) => existsSync(realDistDir(variant, pointDistRoot(point))))) {
    await measureRecovery(variant, strategy, { label: point.label!, distRoot: pointDistRoot(point) });
  }
}
report.recoveryLatency = recovery;

// Throughput under a storm of panics.
say("\n## Throughput under a storm of panics (requests/s, 4 in flight, 400 requests)");
const storms: Record<string, unknown> = {};
for (const { variant, strategy } of RECOVERING) {
  progress(`storm throughput, ${strategy} on ${variant}`);
  await withCanary({ variant, strategy }, async (worker) => {
    const measured = await stormThroughput(worker, 400, Math.max(3, Math.ceil(rounds / 2)));
    storms[`${strategy}/${variant}`] = measured;
    const base = measured["0"]!.requestsPerSecond;
    say(`${`${strategy} (${variant})`.padEnd(24)} ` + Object.entries(measured).map(([rate, m]) =>
      `${(Number(rate) * 100).toFixed(0)} %: ${show(m.requestsPerSecond, "", 0)}${rate === "0" ? "" : ` = ${times(m.requestsPerSecond, base, 0)}`}, blast ${m.blastRadius}`).join("; "));
  });
}
report.stormThroughput = storms;

// Scale of parked siblings around one panic, and where a park's bytes go.
say(`\n## Scale: siblings parked in Rust around one panic (64 MiB linear memory cap; each holds a ${SCALE_HELD_BYTES} B checked buffer, ` +
  `parks together; heap = live-heap growth per park, memory = linear-memory growth per park)`);
const scales: Record<string, unknown> = {};
const parkBytes: Record<string, unknown> = {};
const SCALING = [...RECOVERING.slice(0, 2), ...REAL_RECOVERING.filter((b) => b.variant !== "real-unwind-exnref")];
for (const { variant, strategy } of SCALING) {
  progress(`scale, ${strategy} on ${variant}`);
  const results = await scale(variant, strategy, SCALE_SIZES, { heldBytes: SCALE_HELD_BYTES, together: true });
  scales[`${strategy}/${variant}`] = results;
  say(`${`${strategy} (${variant})`.padEnd(24)} ` + results.map((r) => r.sustained
    ? `${r.siblings}: blast ${r.blastRadius}, ${r.wallMs} ms${r.heapBytesPerPark === undefined ? "" : `, heap ${r.heapBytesPerPark} B`}` +
      `${r.bytesPerPark === undefined ? "" : `, memory ${r.bytesPerPark} B`}`
    : `${r.siblings}: not sustained, ${r.parked} parked at most (${r.note})`).join("; "));
}
say(`\nBytes per park (live heap, ${BREAKDOWN_PARKS} parks): the protocol's whole ${BUFFER_BYTES} B buffer, none, and what the rest is`);
for (const { variant, strategy } of SCALING) {
  progress(`bytes per park, ${strategy} on ${variant}`);
  const ways: Record<string, ScaleResult> = {};
  for (const [name, options] of [
    ["own timer, whole buffer", { together: false }], ["own timer, no buffer", { together: false, heldBytes: 0 }],
    ["together, no buffer", { together: true, heldBytes: 0 }],
  ] as const) ways[name] = (await scale(variant, strategy, [BREAKDOWN_PARKS], options))[0]!;
  parkBytes[`${strategy}/${variant}`] = ways;
  say(`${`${strategy} (${variant})`.padEnd(24)} ` + Object.entries(ways).map(([name, r]) =>
    `${name}: ${r.sustained ? `${r.heapBytesPerPark ?? "?"} B` : `not sustained (${r.note})`}`).join("; "));
}
report.scale = scales;
report.parkBytes = parkBytes;

// What the regression suite costs: the whole matrix (every build, every mode, both topologies)
// on one workerd at a time, then on PARALLEL at once, whose verdicts must be the sequential's.
if (!values["no-suite"]) {
  say("\n## Suite cost (warm)");
  const catalog = await loadScenarios();
  const one = catalog.find((s) => s.name === "panic-with-siblings")!;
  progress("suite cost: one scenario");
  const single: number[] = [];
  for (let i = 0; i < rounds; i++) {
    single.push(await time(() => runMatrix({ scenarios: [one], variants: ["unwind"], topologies: ["shared"] })));
  }
  say(`one scenario (panic-with-siblings, unwind, shared, fresh workerd): ${show(summarize(single), "ms", 0)}`);
  const sequential: RunResult[] = [];
  const perBuild: Record<string, unknown> = {};
  let sequentialMs = 0;
  for (const [name, variants] of [["reference", VARIANT_NAMES], ...REAL_MODE_NAMES.map((v) => [v, [v]] as const)] as const) {
    progress(`suite cost: the whole catalog on ${name}, one workerd at a time`);
    const run = await runMatrix({ scenarios: catalog, variants, keepRecords: () => false });
    sequential.push(...run.results);
    sequentialMs += run.durationMs;
    const timedOut = run.results.filter((r) => r.verdicts.some((v) => v.checker === "liveness" && v.status === "broken")).length;
    perBuild[name] = { ms: run.durationMs, runs: run.results.length, holds: run.results.filter((r) => r.status === "holds").length, runsWithAHang: timedOut };
    say(`whole catalog on ${name.padEnd(18)}: ${String(run.results.length).padStart(3)} runs in ${(run.durationMs / 1000).toFixed(1)} s ` +
      `(${timedOut} runs where liveness broke: a request hung, or met the ${DEFAULT_REQUEST_DEADLINE_MS / 1000} s deadline)`);
  }
  say(`whole matrix, one workerd at a time: ${sequential.length} runs in ${(sequentialMs / 1000).toFixed(1)} s (target < 90 s)`);
  const expected = new Map(sequential.map((r) => [r.runId, r]));
  const parallelRuns: { ms: number; differing: string[]; timingDependent: string[]; slowAnswers: string[] }[] = [];
  for (let i = 0; i < matrixRepeats; i++) {
    progress(`suite cost: the whole matrix on ${PARALLEL} workerd at once, ${matrixDeadlineMs / 1000} s deadline (${i + 1} of ${matrixRepeats})`);
    const run = await runMatrix({
      scenarios: catalog, variants: ALL_BUILDS, parallel: PARALLEL, requestDeadlineMs: matrixDeadlineMs, keepRecords: () => false,
    });
    const changed = run.results.filter((r) => verdictOf(expected.get(r.runId)) !== verdictOf(r));
    const line = (r: RunResult) => `${r.runId}: ${verdictOf(expected.get(r.runId))} → ${verdictOf(r)}`;
    // Real builds break some guarantees only in some runs, one at a time as well (F3's cancel,
    // F7's second reset racing the next request): a difference inside what the recorded findings
    // allow both times is that, not the parallelism's doing.
    const timing = changed.filter((r) => withinFindings(expected.get(r.runId)!) && withinFindings(r));
    parallelRuns.push({
      ms: run.durationMs, differing: changed.filter((r) => !timing.includes(r)).map(line), timingDependent: timing.map(line),
      // Answers that came after half their deadline: a shorter one would have called them hangs.
      slowAnswers: run.notes.filter((n) => n.includes("more than half of it")),
    });
  }
  const differ = parallelRuns.flatMap((r) => r.differing);
  const timing = parallelRuns.flatMap((r) => r.timingDependent);
  const slow = parallelRuns.flatMap((r) => r.slowAnswers);
  say(`whole matrix, ${PARALLEL} workerd at once, ${matrixDeadlineMs / 1000} s deadline: ${show(summarize(parallelRuns.map((r) => r.ms)), "ms", 0)} ` +
    `over ${matrixRepeats} repeat(s) (target < 90 s)`);
  say(`  answers after half their deadline: ${slow.length ? `${slow.length}: ${slow.slice(0, 3).join("; ")}` : "none"}`);
  say(`  verdicts and blast radius against the one-at-a-time run: ${differ.length ? `**${differ.length} differ**: ${differ.slice(0, 5).join("; ")}` : `no run differs`}` +
    `${timing.length ? `, except ${timing.length} of the real builds' timing-dependent findings, both ways within what is recorded ` +
      `(${[...new Set(timing.map((t) => t.split("/").slice(0, 2).join("/")))].slice(0, 6).join(", ")}…)` : ""} in ${matrixRepeats} × ${sequential.length} runs`);
  report.suiteCost = {
    oneScenarioMs: summarize(single), perBuild, sequentialMs, runs: sequential.length,
    parallel: { workerd: PARALLEL, deadlineMs: matrixDeadlineMs, repeats: parallelRuns },
  };
}

/** A run's verdicts in one line: status, blast radius and each checker's verdict. */
function verdictOf(result: RunResult | undefined): string {
  return result ? `${result.status} blast ${result.blastRadius} ${result.verdicts.map((v) => `${v.checker}:${v.status}`).join(",")}` : "not run";
}

/** Every break of a real build's run is a known finding (harness/checkers/findings.json): nothing NEW, no promise of upstream's broken. */
function withinFindings(result: RunResult): boolean {
  return result.status !== "error" && (result.signal === undefined || result.signal === "known");
}

const out = join(PROJECT_ROOT, "bench-out");
mkdirSync(out, { recursive: true });
const file = join(out, `bench-${String(report.date).replaceAll(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify({ ...report, table: lines }, null, 2));
writeFileSync(join(out, "latest.json"), JSON.stringify({ ...report, table: lines }, null, 2));
process.stderr.write(`bench: wrote ${relative(process.cwd(), file)}\n`);
