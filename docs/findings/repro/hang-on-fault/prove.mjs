// Why does a fault hang its own request (F1) and its parked siblings (F2)? Builds the worker once
// (unless build/ exists), copies the output five ways (unpatched; wrap, the control; microtask,
// abort and refusal, which each reject some in-flight handler promise), and runs each fault
// (/panic, /trap) in each build: SIBLINGS requests park on a subrequest the PARK service (a
// function in this process) holds open, the fault is sent, then /count (whose shim call resets
// the instance), then the holds are released one at a time, each once the sibling released before
// it has answered. Every round gets a fresh workerd (Miniflare).
// Exits 1 when an outcome differs from the recorded proof (docs/findings.md F1, F2).
//
//   node prove.mjs [--runs N] [--siblings N] [--build] [--no-probe]
//
// Unless --no-probe, probe.mjs adds console.log lines (no control-flow change) to every build,
// so the table can count aborts, executor microtasks that threw, and old closures refused.
//
// --build rebuilds build/ first, with `worker-build --release` (which worker-build: ../prove-util.mjs;
// offline with the workers-recovery-harness's tool cache when there is no other).
// Prints a table and writes prove-out/results.json.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare, Response } from "miniflare";
import { patchAbort } from "./patch-abort.mjs";
import { patchMicrotask } from "./patch-microtask.mjs";
import { patchRefusal } from "./patch-refusal.mjs";
import { patchWrap } from "./patch-wrap.mjs";
import { probe } from "./probe.mjs";
import { buildOnce, hasFlag, numberArg, printTable, proveArgs, writeVariants } from "../prove-util.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { runs: RUNS, rebuild } = proveArgs(5);
const SIBLINGS = numberArg("--siblings", 3);
const PROBE = !hasFlag("--no-probe");
const DEADLINE_MS = 20_000; // every request's; workerd cancels a hung request well before it

// ---- the builds ---------------------------------------------------------------------------------

// The recorded proof: how the faulting request and each sibling end in each build.
//   "Canceled"       workerd cancelled it as hung
//   "500 fault"      a 500 whose body names the fault (the panic's message, or the trap)
//   "500 stale"      a 500 whose body says the request's instance is gone
// `early`: the siblings answer before their holds are released (at the fault), else after.
// With the probe, one old closure is refused per release (1, 2, 3 after each), except with
// `noRefusals`, where no continuation of an answered sibling runs (0, 0, 0).
const VARIANTS = [
  { name: "unpatched", patch: (js) => js, fault: "Canceled", siblings: "Canceled", early: false },
  { name: "wrap", patch: patchWrap, fault: "Canceled", siblings: "Canceled", early: false },
  { name: "microtask", patch: patchMicrotask, fault: "500 fault", siblings: "Canceled", early: false },
  { name: "refusal", patch: patchRefusal, fault: "Canceled", siblings: "500 stale", early: false },
  { name: "abort", patch: patchAbort, fault: "500 fault", siblings: "500 stale", early: true, noRefusals: true },
];
const FAULTS = ["panic", "trap"];
const out = join(here, "prove-out");
writeVariants(buildOnce(here, rebuild), out, VARIANTS, PROBE ? probe : undefined);

// ---- one round: SIBLINGS parked, one fault, a reset, the release; in a fresh workerd ------------

/** What a response says: its class (see VARIANTS) and the first line naming why. */
function classify(status, body) {
  if (body.includes("canceled this request")) return { outcome: "Canceled", why: "workerd: hung, canceled" };
  const line = (re) => body.split("\n").find((l) => re.test(l))?.trim().slice(0, 120);
  if (status === 500) {
    const stale = line(/stale instance/);
    if (stale) return { outcome: "500 stale", why: stale };
    const fault = line(/Rust panic|RuntimeError|unreachable|Wasm (instance aborted|fault)/);
    if (fault) return { outcome: "500 fault", why: fault };
  }
  return { outcome: `${status} other`, why: body.split("\n")[0].slice(0, 120) };
}

async function round(variant, fault) {
  const lines = [];
  const stderrLines = []; // workerd's stderr, whole (lines: stdout and the unindented stderr lines)
  const holds = new Map(); // the PARK service's open subrequests by sibling: their release functions
  const holding = [];
  let releaseAll;
  const all = new Promise((resolve) => { releaseAll = resolve; });
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(out, variant, "index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-09-01",
    compatibilityFlags: ["nodejs_als"], // patch-wrap's AsyncLocalStorage; the same for every build
    serviceBindings: {
      // Holds each subrequest until its release: the parked request waits on I/O.
      async PARK(request) {
        const id = new URL(request.url).searchParams.get("id");
        const released = new Promise((resolve) => holds.set(id, resolve));
        holding.forEach((f) => f());
        await Promise.race([released, all]);
        return new Response(`released ${id}`);
      },
    },
    handleRuntimeStdio(stdout, stderr) {
      createInterface({ input: stdout }).on("line", (line) => lines.push(line));
      createInterface({ input: stderr }).on("line", (line) => { stderrLines.push(line); /^\S/.test(line) && lines.push(line); });
    },
  });
  try {
    /** A request with a deadline; resolves to { status, body, outcome, why, at } and never rejects. */
    const get = async (path) => {
      try {
        const res = await mf.dispatchFetch(`http://repro${path}`, { signal: AbortSignal.timeout(DEADLINE_MS) });
        const body = await res.text();
        return { status: res.status, body, ...classify(res.status, body), at: Date.now() };
      } catch (e) {
        return { status: 0, body: "", outcome: "no answer", why: String(e.message ?? e).slice(0, 120), at: Date.now() };
      }
    };
    const count = async () => {
      const r = await get("/count");
      if (r.status !== 200) throw new Error(`/count answered ${r.status}: ${r.body.slice(0, 200)}`);
      return JSON.parse(r.body);
    };
    const before = await count();
    const siblings = Array.from({ length: SIBLINGS }, (_, id) => get(`/park?id=${id}`));
    const parkDeadline = Date.now() + DEADLINE_MS;
    while (holds.size < SIBLINGS) {
      if (Date.now() > parkDeadline) throw new Error(`only ${holds.size} of ${SIBLINGS} siblings parked in ${DEADLINE_MS} ms`);
      await Promise.race([new Promise((resolve) => holding.push(resolve)), sleep(100)]);
    }
    const sent = Date.now();
    const faulted = await get(`/${fault}`);
    const after = await count(); // the shim's checkReinitialize resets the instance here
    await sleep(200); // let a sibling that answers at the fault do so before the release
    const n = (re) => lines.filter((l) => re.test(l)).length;
    // One hold at a time: each sibling's answer, and the closures refused so far, before the next.
    const releasedAt = [];
    const refusedSoFar = [];
    for (let id = 0; id < SIBLINGS; id++) {
      releasedAt.push(Date.now());
      holds.get(String(id))();
      await siblings[id];
      await sleep(50); // its log lines, and time for any other sibling to answer out of turn
      refusedSoFar.push(n(/^probe: old closure refused/));
    }
    const sibs = await Promise.all(siblings);
    return {
      variant, fault,
      faulted: { status: faulted.status, outcome: faulted.outcome, why: faulted.why, ms: faulted.at - sent, body: faulted.body.slice(0, 600) },
      // msAfterRelease: from the release of its own hold (negative: it answered before).
      siblings: sibs.map((s, id) => ({ status: s.status, outcome: s.outcome, why: s.why, msAfterRelease: s.at - releasedAt[id] })),
      refusedSoFar: PROBE ? refusedSoFar : undefined,
      instanceId: after.instanceId - before.instanceId,
      instances: after.instances - before.instances,
      aborts: PROBE ? n(/^probe: instance aborted by /) : undefined,
      microtaskThrew: PROBE ? n(/^probe: microtask threw /) : undefined,
      refusals: PROBE ? n(/^probe: old closure refused/) : undefined,
      rejectedByPatch: n(/^patch: rejected a handler/),
      log: lines,
      stderr: stderrLines,
    };
  } finally {
    releaseAll();
    await mf.dispose();
  }
}

// ---- run ----------------------------------------------------------------------------------------

const started = Date.now();
const results = [];
const sibSummary = (r) => tally(r.siblings.map((s) => s.outcome)).replaceAll("+", "");
for (let run = 1; run <= RUNS; run++) {
  for (const { name } of VARIANTS) {
    for (const fault of FAULTS) {
      const r = await round(name, fault);
      results.push({ run, ...r });
      const when = r.siblings.map((s) => s.msAfterRelease);
      process.stdout.write(`run ${run} ${name.padEnd(9)} /${fault}`.padEnd(24) +
        `fault: ${r.faulted.outcome} (${r.faulted.ms} ms) | siblings: ${sibSummary(r)} at ${when.join(",")} ms after their release` +
        `${PROBE ? ` | aborts ${r.aborts}, microtask threw ${r.microtaskThrew}, refused ${r.refusedSoFar.join(",")}` : ""}, patch rejected ${r.rejectedByPatch}\n`);
    }
  }
}
writeFileSync(join(out, "results.json"), JSON.stringify(results, null, 2) + "\n");

// ---- table --------------------------------------------------------------------------------------

/** "x ×5" or "x ×4, y ×1": each value seen and how often. */
function tally(values) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((x, y) => y[1] - x[1]).map(([v, n]) => `${v} ×${n}`).join(", ");
}
const range = (xs) => (Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}..${Math.max(...xs)}`);

console.log(`\n${RUNS} runs, ${SIBLINGS} siblings per round (a fresh workerd per round); ms: the fault's from its send, ` +
  `a sibling's from the release of its own hold; refused: closures refused after each release in turn\n`);
const header = ["build", "fault", "faulting request", "ms", `siblings (${SIBLINGS} per round)`, "ms after own release",
  ...(PROBE ? ["aborts", "microtask threw", "closures refused"] : []), "rejected by patch"];
const rows = [];
for (const { name } of VARIANTS) {
  for (const fault of FAULTS) {
    const rs = results.filter((r) => r.variant === name && r.fault === fault);
    const sibs = rs.flatMap((r) => r.siblings);
    rows.push([name, `/${fault}`, tally(rs.map((r) => r.faulted.outcome)), range(rs.map((r) => r.faulted.ms)),
      tally(sibs.map((s) => s.outcome)), range(sibs.map((s) => s.msAfterRelease)),
      ...(PROBE ? [tally(rs.map((r) => r.aborts)), tally(rs.map((r) => r.microtaskThrew)), tally(rs.map((r) => r.refusedSoFar.join(",")))] : []),
      tally(rs.map((r) => r.rejectedByPatch))]);
  }
}
printTable(header, rows);

// What the 500s said, each distinct message once per build and fault.
console.log("\nwhat the 500s said\n");
const whyRows = [];
for (const { name } of VARIANTS) {
  for (const fault of FAULTS) {
    const rs = results.filter((r) => r.variant === name && r.fault === fault);
    const said = [...new Set([...rs.map((r) => r.faulted), ...rs.flatMap((r) => r.siblings)].filter((x) => x.outcome.startsWith("500")).map((x) => x.why))];
    if (said.length) whyRows.push([name, `/${fault}`, said.join(" / ")]);
  }
}
printTable(["build", "fault", "message"], whyRows);

const differing = [];
for (const r of results) {
  const v = VARIANTS.find((x) => x.name === r.variant);
  const at = `run ${r.run} ${r.variant} /${r.fault}`;
  if (r.faulted.outcome !== v.fault) differing.push(`${at}: faulting request ${r.faulted.outcome}, recorded ${v.fault}`);
  for (const s of r.siblings) {
    if (s.outcome !== v.siblings) differing.push(`${at}: a sibling ${s.outcome}, recorded ${v.siblings}`);
    else if ((s.msAfterRelease < 0) !== v.early) differing.push(`${at}: a sibling answered ${s.msAfterRelease} ms after its release`);
  }
  // One refusal per release, except where the siblings were answered at the fault.
  const refused = r.siblings.map((_, id) => (v.noRefusals ? 0 : id + 1)).join(",");
  if (PROBE && r.refusedSoFar.join(",") !== refused) differing.push(`${at}: closures refused after each release ${r.refusedSoFar.join(",")}, recorded ${refused}`);
}
console.log(`\n${results.length} rounds in ${Math.round((Date.now() - started) / 1000)} s`);
if (differing.length) {
  console.log(`DIFFERS from the recorded proof in ${differing.length} place(s):\n  ${differing.join("\n  ")}`);
  process.exit(1);
}
console.log("as recorded: the faulting request fails only when the microtask's or the abort's catch rejects its promise; " +
  "a sibling fails only when its refused continuation or the abort rejects its promise");
