// Is js-sys's `QueueState::run_all` why one unwinding task strands the rest of its batch (F9)?
// Builds this worker twice with worker-build --release --panic-unwind and runs the repro's cases in
// each:
//
//   unpatched  js-sys 0.3.107 as published
//   patched    js-sys 0.3.107 with a drop guard in `run_all` that, when a task's poll unwinds and
//              tasks are left in the queue with no run scheduled, schedules another run (the same
//              queueMicrotask `schedule_task` uses); [patch.crates-io] in a generated Cargo config
//
// Each variant is built from a copy of Cargo.toml, Cargo.lock and src/ in prove-build/<variant>/
// (js-sys is copied from ~/.cargo/registry/src into prove-build/crates/ and edited there, the edit
// made exactly once; one target dir, prove-build/target or $CARGO_TARGET_DIR), so Cargo.toml and
// Cargo.lock stay as shipped. A build is reused while its inputs are unchanged; --build rebuilds. Every case runs in a
// fresh workerd (Miniflare), every request has a deadline. Prints a table, writes
// prove-out/results.json, exits 1 when the counts differ from the recorded proof (docs/findings.md
// F9): unpatched 0/8 after 50 ms and after 1 s for js-error and panic, patched 8/8, control 8/8.
//
//   node prove.mjs [--runs N] [--build]
//
// The build uses `worker-build` from PATH, or $WORKER_BUILD; when neither is set and this machine has
// the workers-recovery-harness's offline tool cache (~/.cache/wrh: worker-build 0.8.7, wasm-bindgen-cli
// 0.2.130, toolchain shims), it uses that as the harness does (--no-opt, the project's esbuild, a
// 64 MiB memory cap, legacy exception handling), offline.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare } from "miniflare";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const runsArg = args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;
if (!(RUNS >= 1)) throw new Error("--runs wants a positive number");
const REQUEST_MS = 15_000;
const TASKS = 8;

// ---- the variants -------------------------------------------------------------------------------

// Inserted before the loop of `QueueState::run_all` (src/futures/queue.rs).
const RUN_ALL_LOOP = "        let mut task_count_left = self.tasks.borrow().len();\n";
const GUARD = `        // prove.mjs: if a poll unwinds, run the tasks left in the queue in a new microtask.
        // (After a normal return every task left was queued by schedule_task, which scheduled a run.)
        struct RescheduleOnUnwind<'a>(&'a QueueState);
        impl Drop for RescheduleOnUnwind<'_> {
            fn drop(&mut self) {
                if !self.0.tasks.borrow().is_empty() && !self.0.is_scheduled.replace(true) {
                    Queue::with(|queue| {
                        if queue.has_queue_microtask {
                            queueMicrotask(&queue.closure);
                        } else {
                            let _ = queue.promise.then_map(&queue.closure);
                        }
                    });
                }
            }
        }
        let _reschedule_on_unwind = RescheduleOnUnwind(self);
`;

// `done`: how many of the 8 tasks had run 50 ms and 1 s after the gate opened, as recorded.
const VARIANTS = [
  { name: "unpatched", done: { none: 8, "js-error": 0, panic: 0 } },
  {
    name: "patched",
    patch: { crate: "js-sys-0.3.107", file: "src/futures/queue.rs", from: RUN_ALL_LOOP, to: GUARD + RUN_ALL_LOOP },
    done: { none: 8, "js-error": 8, panic: 8 },
  },
];
const FAULTS = ["none", "js-error", "panic"];

// ---- build --------------------------------------------------------------------------------------

const work = join(here, "prove-build");

function registryCrate(name) {
  const src = join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "registry", "src");
  for (const index of existsSync(src) ? readdirSync(src) : []) {
    if (existsSync(join(src, index, name, "Cargo.toml"))) return join(src, index, name);
  }
  throw new Error(`${name} is not in ${src} (run a cargo build of this crate once, online, to fetch it)`);
}

/** Copies the crate out of the registry into prove-build/crates/ and makes the edit there, exactly once. */
function patchedCrate({ crate, file, from, to }) {
  const dir = join(work, "crates", crate);
  rmSync(dir, { recursive: true, force: true });
  cpSync(registryCrate(crate), dir, { recursive: true });
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  const found = text.split(from).length - 1;
  if (found !== 1) throw new Error(`${crate}/${file}: the text to patch occurs ${found} times, not once`);
  writeFileSync(path, text.replace(from, to));
  return dir;
}

function toolEnv() {
  const wrh = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "wrh");
  const cachedWorkerBuild = join(wrh, "tools", "worker-build-0.8.7", "bin", "worker-build");
  const env = { ...process.env, CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR || join(work, "target") };
  for (const name of ["CARGO_ENCODED_RUSTFLAGS", "RUSTUP_TOOLCHAIN", "CARGO", "RUSTC", "RUSTC_WRAPPER", "CARGO_BUILD_TARGET"]) delete env[name];
  if (process.env.WORKER_BUILD || !existsSync(cachedWorkerBuild) || spawnSync("worker-build", ["--version"]).status === 0) {
    return { cmd: process.env.WORKER_BUILD || "worker-build", argv: ["--release", "--panic-unwind"], env };
  }
  const shims = join(wrh, "toolchain-shims");
  const esbuildPkg = dirname(createRequire(import.meta.url).resolve("esbuild/package.json"));
  return {
    cmd: cachedWorkerBuild,
    argv: ["--release", "--panic-unwind", "--no-opt"],
    env: {
      ...env,
      PATH: `${shims}:${env.PATH ?? ""}`,
      RUSTFLAGS: "-Cllvm-args=-wasm-use-legacy-eh=true -Clink-arg=--max-memory=67108864",
      CARGO_NET_OFFLINE: "true",
      WASM_BINDGEN_BIN: join(wrh, "tools", "wasm-bindgen-cli-0.2.130", "bin", "wasm-bindgen"),
      WASM_OPT_BIN: join(shims, "wasm-opt"),
      ESBUILD_BIN: join(dirname(esbuildPkg), "@esbuild", `${process.platform}-${process.arch}`, "bin", "esbuild"),
    },
  };
}

/** Builds prove-build/<variant>/build/ unless it was built from the same inputs; returns seconds spent. */
function build(v) {
  const dir = join(work, v.name);
  const tools = toolEnv();
  const inputs = JSON.stringify({
    tools: [tools.cmd, ...tools.argv, tools.env.RUSTFLAGS ?? ""],
    patch: v.patch ?? null,
    sources: ["Cargo.toml", "Cargo.lock", "src/lib.rs"].map((f) => readFileSync(join(here, f), "utf8")),
  });
  const stamp = join(dir, "build", "prove-inputs.json");
  if (!args.includes("--build") && existsSync(stamp) && readFileSync(stamp, "utf8") === inputs) return 0;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, ".cargo"), { recursive: true });
  for (const f of ["Cargo.toml", "Cargo.lock", "src"]) cpSync(join(here, f), join(dir, f), { recursive: true });
  let config = "";
  if (v.patch) {
    const name = v.patch.crate.replace(/-\d+\.\d+\.\d+$/, "");
    config += `[patch.crates-io]\n${name} = { path = ${JSON.stringify(patchedCrate(v.patch))} }\n`;
  }
  writeFileSync(join(dir, ".cargo", "config.toml"), config);
  console.log(`building ${v.name}: ${tools.cmd} ${tools.argv.join(" ")}${config ? ` with\n${config.trim().replace(/^/gm, "  ")}` : ""}`);
  const started = Date.now();
  const result = spawnSync(tools.cmd, tools.argv, { cwd: dir, env: tools.env, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${v.name}: ${tools.cmd} failed (${result.error?.message ?? `exit ${result.status}`})`);
  if (v.patch) {
    // The patch must have been used, not listed as unused.
    const lock = readFileSync(join(dir, "Cargo.lock"), "utf8");
    const name = v.patch.crate.replace(/-\d+\.\d+\.\d+$/, "");
    const entry = lock.split("[[package]]").find((p) => p.includes(`name = "${name}"\n`));
    if (!entry || entry.includes("source =") || lock.includes("[[patch.unused]]")) throw new Error(`${v.name}: the patched ${name} was not used`);
  }
  writeFileSync(stamp, inputs);
  return (Date.now() - started) / 1000;
}

const buildSeconds = {};
for (const v of VARIANTS) buildSeconds[v.name] = build(v);

// ---- one case: one request's batch in a fresh workerd --------------------------------------------

/**
 * wait:    `/batch?fault=…` reads the count 50 ms after the gate opened (in JS, before anything enters
 *          Wasm again) and once the handler resumed;
 * no wait: `/batch?fault=…&wait=no` answers at once, a JS timer stores the count 1 s after the gate
 *          opened, and `/count` 1.2 s later reports that and the count it sees.
 */
async function runCase(variant, fault, wait) {
  const lines = [];
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(work, variant, "build", "index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-09-01",
    handleRuntimeStdio(stdout, stderr) {
      for (const input of [stdout, stderr]) createInterface({ input }).on("line", (line) => /^\S/.test(line) && lines.push(line));
    },
  });
  try {
    const get = async (path) => {
      try {
        const res = await mf.dispatchFetch(`http://repro${path}`, { signal: AbortSignal.timeout(REQUEST_MS) });
        const text = await res.text();
        let json;
        try { json = JSON.parse(text); } catch {}
        return { status: res.status, text: text.includes("canceled this request") ? "canceled as hung" : text, json };
      } catch (e) {
        return { status: e?.name === "TimeoutError" ? "timeout" : "rejected", text: String(e?.message ?? e) };
      }
    };
    const before = await get("/");
    if (before.json?.unwind !== true) throw new Error(`${variant}: / answered ${before.status} ${before.text} (not a --panic-unwind build?)`);
    const first = await get(`/batch?fault=${fault}${wait ? "" : "&wait=no"}`);
    if (!wait) await sleep(1200);
    const second = await get("/count");
    await sleep(50); // let the last log lines arrive
    return {
      variant, fault, wait,
      request: first.status,
      // wait: 50 ms after the gate opened; no wait: 1 s after
      doneLater: wait ? first.json?.doneAt50ms : second.json?.doneAt1s,
      // wait: when the handler resumed; no wait: seen by the next request
      doneAfterNextEntry: wait ? first.json?.doneWhenHandlerResumed : second.json?.done,
      reset: second.json?.instanceId !== before.json.instanceId,
      first: first.text, second: second.text,
      log: [...new Set(lines)],
    };
  } finally {
    await mf.dispose();
  }
}

const results = [];
for (let run = 1; run <= RUNS; run++) {
  for (const v of VARIANTS) {
    for (const fault of FAULTS) {
      for (const wait of [true, false]) {
        const r = { run, ...(await runCase(v.name, fault, wait)) };
        results.push(r);
        console.log(`run ${run} ${v.name.padEnd(9)} fault=${fault.padEnd(8)} ${wait ? "wait   " : "no wait"} request ${r.request}, ` +
          `${wait ? "50 ms" : "1 s"} after the gate opened ${r.doneLater ?? "-"}/${TASKS}, after the next entry ${r.doneAfterNextEntry ?? "-"}/${TASKS}` +
          `${r.reset ? " (instance was reset)" : ""}`);
      }
    }
  }
}
const out = join(here, "prove-out");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "results.json"), JSON.stringify({ buildSeconds, variants: VARIANTS, results }, null, 2) + "\n");

// ---- table --------------------------------------------------------------------------------------

function tally(values) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((x, y) => y[1] - x[1]).map(([v, n]) => (counts.size === 1 ? `${v}` : `${v} ×${n}`)).join(", ");
}
const shown = (n) => (n === undefined ? "-" : `${n}/${TASKS}`);
const header = ["js-sys", "fault", "request", "done 50 ms after the gate", "done 1 s after the gate", "done after the next entry (wait / no wait)"];
const rows = [];
for (const v of VARIANTS) {
  for (const fault of FAULTS) {
    const of = (wait) => results.filter((r) => r.variant === v.name && r.fault === fault && r.wait === wait);
    rows.push([v.name, fault, tally([...of(true), ...of(false)].map((r) => r.request)),
      tally(of(true).map((r) => shown(r.doneLater))), tally(of(false).map((r) => shown(r.doneLater))),
      `${tally(of(true).map((r) => shown(r.doneAfterNextEntry)))} / ${tally(of(false).map((r) => shown(r.doneAfterNextEntry)))}`]);
  }
}
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(`\n${RUNS} run(s), a fresh workerd per case; ${TASKS} tasks woken in the same tick as the faulting one\n`);
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));

const differing = results.filter((r) => {
  const expected = VARIANTS.find((v) => v.name === r.variant).done[r.fault];
  return r.doneLater !== expected || r.doneAfterNextEntry !== TASKS || r.reset;
});
if (differing.length) {
  console.log(`\nDIFFERS from the recorded proof: ` + differing.map((r) =>
    `run ${r.run} ${r.variant} fault=${r.fault} ${r.wait ? "wait" : "no wait"}: ${shown(r.doneLater)} then ${shown(r.doneAfterNextEntry)}${r.reset ? ", reset" : ""}`).join("; "));
  process.exit(1);
}
console.log(`\nas recorded: with the guard in run_all the ${TASKS} tasks run in time after a JS error or a panic; without it none does`);
