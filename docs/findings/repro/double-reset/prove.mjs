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
// --build rebuilds build/ first. The build runs `worker-build --release` from PATH, or $WORKER_BUILD;
// when neither is set and this machine has the workers-recovery-harness's offline tool cache
// (~/.cache/wrh: worker-build 0.8.7, wasm-bindgen-cli 0.2.130, toolchain shims), it uses that the
// way the harness does (--no-opt, the project's esbuild, a 64 MiB memory cap), offline.
// Prints a table and writes prove-out/results.json.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare } from "miniflare";
import { patchA } from "./patch-a.mjs";
import { patchAEarly } from "./patch-a-early.mjs";
import { patchB } from "./patch-b.mjs";
import { probe } from "./probe.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const runsArg = args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 5;
if (!(RUNS >= 1)) throw new Error("--runs wants a positive number");
const PROBE = !args.includes("--no-probe");

// ---- build once ---------------------------------------------------------------------------------

function build() {
  const wrh = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "wrh");
  const cachedWorkerBuild = join(wrh, "tools", "worker-build-0.8.7", "bin", "worker-build");
  let cmd = process.env.WORKER_BUILD || "worker-build";
  let argv = ["--release"];
  let env = { ...process.env };
  if (!process.env.WORKER_BUILD && existsSync(cachedWorkerBuild) && spawnSync("worker-build", ["--version"]).status !== 0) {
    const shims = join(wrh, "toolchain-shims");
    const esbuildPkg = dirname(createRequire(import.meta.url).resolve("esbuild/package.json"));
    cmd = cachedWorkerBuild;
    argv = ["--release", "--no-opt"];
    env = {
      ...env,
      PATH: `${shims}:${env.PATH ?? ""}`,
      RUSTFLAGS: "-Clink-arg=--max-memory=67108864",
      CARGO_NET_OFFLINE: "true",
      WASM_BINDGEN_BIN: join(wrh, "tools", "wasm-bindgen-cli-0.2.130", "bin", "wasm-bindgen"),
      WASM_OPT_BIN: join(shims, "wasm-opt"),
      ESBUILD_BIN: join(dirname(esbuildPkg), "@esbuild", `${process.platform}-${process.arch}`, "bin", "esbuild"),
    };
  }
  console.log(`building: ${cmd} ${argv.join(" ")}`);
  const result = spawnSync(cmd, argv, { cwd: here, env, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${cmd} failed (${result.error?.message ?? `exit ${result.status}`})`);
}

const built = join(here, "build");
if (args.includes("--build") || !existsSync(join(built, "index.js"))) build();
else console.log(`using the existing ${built} (pass --build to rebuild)`);

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
rmSync(out, { recursive: true, force: true });
for (const v of VARIANTS) {
  const dir = join(out, v.name);
  mkdirSync(dir, { recursive: true });
  cpSync(join(built, "index_bg.wasm"), join(dir, "index_bg.wasm"));
  const patched = v.patch(readFileSync(join(built, "index.js"), "utf8"));
  writeFileSync(join(dir, "index.js"), PROBE ? probe(patched) : patched);
}

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
function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
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
