// Which trigger makes F7's second reset? Builds the worker once (unless build/ exists), copies the
// output five ways (unpatched, patch-a, patch-b, a+b, and patch-a-early for contrast), and runs a
// panic and a trap in each, alone and with a request asleep on a `worker::Delay` whose timer fires
// before the next request. Every round gets a fresh workerd (Miniflare), so each fault is the
// first in its isolate. Exits 1 when the new instances per fault differ from the recorded proof
// (docs/findings.md F7): 2 with a sleeper for unpatched, a and b; 1 for a+b and a-early; 1 alone.
//
//   node prove.mjs [--runs N] [--build] [--no-probe]
//
// Unless --no-probe, probe.mjs adds console.log lines (no control-flow change) to every build, so
// the table can say which resets wasm-bindgen's call guard made and what the sleeper's wake-up did.
//
// --build rebuilds build/ first, with `worker-build --release` (which worker-build: ../prove-util.mjs;
// offline with the workers-recovery-harness's tool cache when there is no other).
// Prints a table and writes prove-out/results.json.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare } from "miniflare";
import { patchA } from "./patch-a.mjs";
import { patchAEarly } from "./patch-a-early.mjs";
import { patchB } from "./patch-b.mjs";
import { probe } from "./probe.mjs";
import { buildOnce, hasFlag, printTable, proveArgs, writeVariants } from "../prove-util.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { runs: RUNS, rebuild } = proveArgs(5);
const PROBE = !hasFlag("--no-probe");

// ---- the builds ---------------------------------------------------------------------------------

// `sleeper`: the new instances per fault with a sleeping request, as recorded (alone: always 1).
const VARIANTS = [
  { name: "unpatched", patch: (js) => js, sleeper: 2 },
  { name: "a", patch: patchA, sleeper: 2 },
  { name: "b", patch: patchB, sleeper: 2 },
  { name: "a+b", patch: (js) => patchB(patchA(js)), sleeper: 1 },
  { name: "a-early", patch: patchAEarly, sleeper: 1 },
];
const out = join(here, "prove-out");
writeVariants(buildOnce(here, rebuild), out, VARIANTS, PROBE ? probe : undefined);

// ---- one round: one fault in a fresh workerd ----------------------------------------------------

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); }),
  ]);
}

/**
 * The round's events in order, from the probe's lines and the shim's log (all on stdout):
 *   "flag"             the shim's criticalError became true ("flag cleared": false again, outside a shim reset)
 *   "sched"            wasm-bindgen's reinit was scheduled (workers-rs's on_abort)
 *   "trap"             a closure's call into Wasm threw `RuntimeError: unreachable`: the fault itself
 *                      (the faulting request's task runs in a wasm-bindgen-futures closure; a panic
 *                      under panic=abort ends in the same trap)
 *   "GUARD RESET"      wasm-bindgen's call guard reset the instance
 *   "SHIM RESET"       worker-build's checkReinitialize reset it ("Reinitializing Wasm application")
 *   "refused"          an old instance's closure was refused (patches a, a-early)
 *   "<error> in new"   an old instance's closure, let through, threw in the instance that replaced it
 */
function traceOf(lines) {
  const events = [];
  for (const l of lines) {
    if (l.startsWith("probe: criticalError true")) events.push("flag");
    else if (l.startsWith("probe: criticalError false")) {
      if (events.at(-1) !== "SHIM RESET") events.push("flag cleared");
    } else if (l.startsWith("probe: reinit scheduled")) events.push("sched");
    else if (l.startsWith("probe: call guard reset")) events.push("GUARD RESET");
    else if (l.startsWith("Reinitializing Wasm application")) events.push("SHIM RESET");
    else if (l.startsWith("probe: old closure refused")) events.push("refused");
    else if (l.startsWith("probe: closure call threw ")) {
      const error = l.slice("probe: closure call threw ".length).replace(/^RuntimeError: /, "");
      events.push(events.some((e) => e.endsWith("RESET")) ? `${error} in new` : error === "unreachable" ? "trap" : error);
    }
  }
  return events.join(" → ") || "-";
}

async function round(variant, fault, withSleeper) {
  const lines = [];
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(out, variant, "index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-09-01",
    handleRuntimeStdio(stdout, stderr) {
      createInterface({ input: stdout }).on("line", (line) => lines.push(line));
      createInterface({ input: stderr }).on("line", (line) => /^\S/.test(line) && lines.push(line));
    },
  });
  try {
    const get = async (path) => {
      const res = await withTimeout(mf.dispatchFetch(`http://repro${path}`), 15_000, path);
      const text = await res.text();
      return text.includes("canceled this request") ? `${res.status} hung` : `${res.status}`;
    };
    const state = async () => {
      const res = await withTimeout(mf.dispatchFetch("http://repro/"), 15_000, "/");
      return res.json();
    };
    const before = await state();
    const sleeper = withSleeper ? get("/sleep") : undefined; // its timer fires after 500 ms
    if (sleeper) await sleep(100);
    const faulted = await get(`/${fault}`);
    const slept = sleeper ? await sleeper : "-";
    const after = await state();
    await sleep(50); // let the last log lines arrive
    const count = (re) => lines.filter((l) => re.test(l)).length;
    return {
      variant, fault, sleeper: withSleeper,
      instanceId: after.instanceId - before.instanceId,
      instances: after.instances - before.instances,
      shimResets: count(/Reinitializing Wasm application/),
      guardResets: PROBE ? count(/^probe: call guard reset/) : undefined,
      trace: PROBE ? traceOf(lines) : undefined,
      faulted, slept,
      log: lines,
    };
  } finally {
    await mf.dispose();
  }
}

// ---- run ----------------------------------------------------------------------------------------

const results = [];
for (let run = 1; run <= RUNS; run++) {
  for (const { name } of VARIANTS) {
    for (const fault of ["panic", "trap"]) {
      for (const withSleeper of [false, true]) {
        const r = await round(name, fault, withSleeper);
        results.push({ run, ...r });
        process.stdout.write(`run ${run} ${name.padEnd(9)} /${fault}${withSleeper ? " + sleeper" : ""}`.padEnd(38) +
          `instanceId +${r.instanceId}, instances +${r.instances}, resets: shim ${r.shimResets}` +
          `${PROBE ? `, call guard ${r.guardResets}; ${r.trace}` : ""}\n`);
      }
    }
  }
}
writeFileSync(join(out, "results.json"), JSON.stringify(results, null, 2) + "\n");

// ---- table --------------------------------------------------------------------------------------

/** "+3 ×5" or "+3 ×4, +2 ×1": each value seen and how often. */
function tally(values) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((x, y) => y[1] - x[1]).map(([v, n]) => `${typeof v === "number" ? `+${v}` : v} ×${n}`).join(", ");
}

console.log(`\n${RUNS} runs each; deltas per fault (a fresh workerd per round)\n`);
const header = ["build", "fault", "sleeper", "instanceId delta", "new instances", "shim resets", ...(PROBE ? ["call guard resets"] : [])];
const rows = [];
for (const { name } of VARIANTS) {
  for (const fault of ["panic", "trap"]) {
    for (const withSleeper of [false, true]) {
      const rs = results.filter((r) => r.variant === name && r.fault === fault && r.sleeper === withSleeper);
      rows.push([name, `/${fault}`, withSleeper ? "yes" : "no", tally(rs.map((r) => r.instanceId)), tally(rs.map((r) => r.instances)),
        tally(rs.map((r) => r.shimResets)).replaceAll("+", ""),
        ...(PROBE ? [tally(rs.map((r) => r.guardResets)).replaceAll("+", "")] : [])]);
    }
  }
}
printTable(header, rows);
if (PROBE) {
  // The order of events (see traceOf), each distinct sequence with how many rounds showed it.
  console.log("\nsequence per round (probe): flag = criticalError set, sched = wasm-bindgen reinit scheduled\n");
  const seqRows = [];
  for (const { name } of VARIANTS) {
    for (const withSleeper of [false, true]) {
      for (const fault of ["panic", "trap"]) {
        const rs = results.filter((r) => r.variant === name && r.fault === fault && r.sleeper === withSleeper);
        seqRows.push([name, `/${fault}`, withSleeper ? "yes" : "no", tally(rs.map((r) => r.trace))]);
      }
    }
  }
  printTable(["build", "fault", "sleeper", "sequence"], seqRows);
}

const single = VARIANTS.filter(({ name }) => results.filter((r) => r.variant === name).every((r) => r.instances === 1));
console.log(`\none fault, one new instance in every round: ${single.length ? single.map((v) => v.name).join(", ") : "no build"}`);
const differing = results.filter((r) => r.instances !== (r.sleeper ? VARIANTS.find((v) => v.name === r.variant).sleeper : 1));
if (differing.length) {
  console.log(`DIFFERS from the recorded proof in ${differing.length} round(s): ` +
    differing.map((r) => `run ${r.run} ${r.variant} /${r.fault}${r.sleeper ? " + sleeper" : ""}: +${r.instances}`).join("; "));
  process.exit(1);
}
console.log("as recorded: only a+b and a-early make one fault one reset when a request sleeps");
