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
// Which worker-build: ../prove-util.mjs (offline with the workers-recovery-harness's tool cache when
// there is no other).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare } from "miniflare";
import { buildVariant, printTable, proveArgs } from "../prove-util.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { runs: RUNS, rebuild } = proveArgs(3);
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

const buildSeconds = {};
for (const v of VARIANTS) {
  buildSeconds[v.name] = buildVariant({
    crateDir: here, work, name: v.name, buildArgs: ["--release", "--panic-unwind"], patch: v.patch, rebuild,
  });
}

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
console.log(`\n${RUNS} run(s), a fresh workerd per case; ${TASKS} tasks woken in the same tick as the faulting one\n`);
printTable(header, rows);

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
