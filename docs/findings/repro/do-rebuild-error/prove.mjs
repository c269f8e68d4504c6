// Is the missing reset after a failed Durable Object rebuild (docs/findings.md F10) caused by the
// shim rebuilding the object in the Proxy's `get` trap, outside the try/catch of `construct` that
// sets `criticalError`? Builds the worker once (unless build/ exists), copies the output three ways
// (unpatched; patch-rebuild: the rebuild gets construct's catch; patch-construct, a control:
// construct's catch no longer sets the flag), and runs in each build, every round in a fresh
// workerd (Miniflare):
//   good:    the object is built, a panic resets the instance, then 20 calls that succeed;
//   first:   the constructor is armed to throw_str, then 20 calls, each failing the object's
//            first construction;
//   rebuild: the object is built, armed, a panic resets the instance, then 20 calls, each failing
//            the shim's rebuild of the object.
// For each it reads the live heap and the shadow-stack probe before and after the 20 calls, and
// counts the instance resets, the shim's resets and the writes of criticalError=true in between.
// Exits 1 when a count differs from the recorded proof (RECORDED below).
//
//   node prove.mjs [--runs N] [--build]
//
// --build rebuilds build/ first, with `worker-build --release` (which worker-build: ../prove-util.mjs;
// offline with the workers-recovery-harness's tool cache when there is no other).
// Prints a table and writes prove-out/results.json.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { patchConstruct } from "./patch-construct.mjs";
import { patchRebuild } from "./patch-rebuild.mjs";
import { buildOnce, printTable, proveArgs, writeVariants } from "../prove-util.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { runs: RUNS, rebuild } = proveArgs(5);
const REPEAT = 20;
const DEADLINE_MS = 15_000;

// What each build and case gave in every round (totals over the REPEAT calls): new
// WebAssembly.Instance constructions, shim resets, criticalError=true writes, live-heap growth and
// how far the shadow-stack probe moved down, in bytes.
const LEAK = { heap: 1780, stack: 1280 };
const CLEAN = { heap: 1, stack: 0 };
const RECORDED = {
  unpatched: {
    good: { resets: 0, shimResets: 0, flagSets: 0, heap: 66, stack: 0 },
    first: { resets: 20, shimResets: 20, flagSets: 20, ...CLEAN },
    rebuild: { resets: 0, shimResets: 0, flagSets: 0, ...LEAK },
  },
  "patch-rebuild": {
    good: { resets: 0, shimResets: 0, flagSets: 0, heap: 66, stack: 0 },
    first: { resets: 20, shimResets: 20, flagSets: 20, ...CLEAN },
    rebuild: { resets: 20, shimResets: 20, flagSets: 20, ...CLEAN },
  },
  "patch-construct": {
    good: { resets: 0, shimResets: 0, flagSets: 0, heap: 66, stack: 0 },
    first: { resets: 0, shimResets: 0, flagSets: 0, ...LEAK },
    rebuild: { resets: 0, shimResets: 0, flagSets: 0, ...LEAK },
  },
};
const KEYS = ["resets", "shimResets", "flagSets", "heap", "stack"];

// ---- the builds ---------------------------------------------------------------------------------

const VARIANTS = [
  { name: "unpatched", patch: (js) => js },
  { name: "patch-rebuild", patch: patchRebuild },
  { name: "patch-construct", patch: patchConstruct },
];
const out = join(here, "prove-out");
writeVariants(buildOnce(here, rebuild), out, VARIANTS);

// ---- one round: one case in a fresh workerd -----------------------------------------------------

// The Miniflare of the round in progress, disposed on SIGINT/SIGTERM as well.
let current;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    await current?.dispose().catch(() => {});
    process.exit(130);
  });
}

function withDeadline(promise, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${DEADLINE_MS} ms`)), DEADLINE_MS); }),
  ]);
}

const SETUP = {
  good: ["/do?name=a", "/panic"],
  first: ["/arm?mode=throw_str"],
  rebuild: ["/do?name=a", "/arm?mode=throw_str", "/panic"],
};

async function round(variant, kind) {
  const lines = [];
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(out, variant, "index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-09-01",
    durableObjects: { PROBE: "Probe" },
    handleRuntimeStdio(stdout, stderr) {
      createInterface({ input: stdout }).on("line", (line) => lines.push(line));
      createInterface({ input: stderr }).on("line", (line) => /^\S/.test(line) && lines.push(line));
    },
  });
  current = mf;
  try {
    const get = (path) => withDeadline((async () => {
      const res = await mf.dispatchFetch(`http://repro${path}`);
      return { status: res.status, text: await res.text() };
    })(), path);
    const state = async () => JSON.parse((await get("/")).text);
    for (const path of SETUP[kind]) await get(path); // the /panic is cancelled by workerd as hung (F1)
    const before = await state(); // the fault's reset happens at this request's entry
    await get("/events"); // drop the setup's timeline
    const statuses = [];
    for (let i = 0; i < REPEAT; i++) statuses.push((await get("/do?name=a")).status);
    const after = await state(); // a reset the last call left pending happens at this entry
    const events = JSON.parse((await get("/events")).text);
    const count = (re) => events.filter((e) => re.test(e)).length;
    return {
      variant, kind, statuses,
      resets: count(/^new WebAssembly\.Instance/),
      shimResets: count(/^shim: Reinitializing/),
      flagSets: count(/^criticalError=true$/),
      heap: after.liveHeapBytes - before.liveHeapBytes,
      stack: before.stackProbe - after.stackProbe,
      before, after, events, log: lines,
    };
  } finally {
    current = undefined;
    await mf.dispose();
  }
}

// ---- run ----------------------------------------------------------------------------------------

const started = Date.now();
const results = [];
for (let run = 1; run <= RUNS; run++) {
  for (const { name } of VARIANTS) {
    for (const kind of ["good", "first", "rebuild"]) {
      const r = await round(name, kind);
      results.push({ run, ...r });
      console.log(`run ${run} ${name.padEnd(15)} ${kind.padEnd(7)} answers ${[...new Set(r.statuses)].join("/")}, ` +
        `resets ${r.resets} (shim ${r.shimResets}), criticalError=true ×${r.flagSets}, heap +${r.heap} B, stack down ${r.stack} B`);
    }
  }
}
writeFileSync(join(out, "results.json"), JSON.stringify(results, null, 2) + "\n");

// ---- table --------------------------------------------------------------------------------------

/** "+3 ×5" or "+3 ×4, +2 ×1": each value seen and how often. */
function tally(values, fmt = String) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((x, y) => y[1] - x[1]).map(([v, n]) => `${fmt(v)} ×${n}`).join(", ");
}
/**
 * Bytes kept per failed call beyond what a good call of the same run and build keeps (good calls
 * keep a little too); 0 when the total is at most the good calls' (a reset threw it all away).
 */
const perFailure = (r, key) => {
  if (r.kind === "good") return (r[key] / REPEAT).toFixed(1);
  const good = results.find((g) => g.run === r.run && g.variant === r.variant && g.kind === "good");
  return Math.max(0, (r[key] - good[key]) / REPEAT).toFixed(1);
};

console.log(`\n${RUNS} runs; ${REPEAT} calls per case, each case in a fresh workerd. Heap and shadow stack kept: ` +
  `the total over the ${REPEAT} calls, and in brackets per failed call beyond a good call (for good: per call)\n`);
const header = ["build", "case", "answers", "resets (shim)", "criticalError=true", "heap kept", "shadow stack kept"];
const rows = [];
for (const { name } of VARIANTS) {
  for (const kind of ["good", "first", "rebuild"]) {
    const rs = results.filter((r) => r.variant === name && r.kind === kind);
    rows.push([name, kind, tally(rs.map((r) => [...new Set(r.statuses)].join("/"))),
      tally(rs.map((r) => `${r.resets} (${r.shimResets})`)), tally(rs.map((r) => r.flagSets)),
      tally(rs.map((r) => `+${r.heap} B (${perFailure(r, "heap")})`)), tally(rs.map((r) => `${r.stack} B (${perFailure(r, "stack")})`))]);
  }
}
printTable(header, rows);
console.log(`\n${results.length} rounds in ${((Date.now() - started) / 1000).toFixed(0)} s`);

const differing = results.filter((r) => KEYS.some((k) => r[k] !== RECORDED[r.variant][r.kind][k]) ||
  r.statuses.some((s) => s !== (r.kind === "good" ? 200 : 502)));
if (differing.length) {
  console.log(`DIFFERS from the recorded proof in ${differing.length} round(s): ` +
    differing.map((r) => `run ${r.run} ${r.variant} ${r.kind}: ${KEYS.map((k) => `${k} ${r[k]}`).join(", ")}, answers ${[...new Set(r.statuses)].join("/")}`).join("; "));
  process.exit(1);
}
console.log("as recorded: with the rebuild inside construct's catch each failed rebuild resets and leaves nothing; " +
  "without the flag in construct's catch a failed first construction leaks like a failed rebuild");
