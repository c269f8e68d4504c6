// Is a Durable Object constructor that fails while worker-build's shim *rebuilds* the object
// after a reset handled like one that fails at the object's first construction? Runs the built
// worker (build/index.js, or the folder given as argument) in workerd via Miniflare, a fresh
// isolate per case. For each way the constructor can fail (panic, a throwing JS import,
// wasm_bindgen::throw_str):
//   first:   arm, then the object's first construction fails;
//   rebuild: the object is built, arm, a fault resets the instance, the next call to the object
//            rebuilds it and the constructor fails there;
// then disarm, call the object again, and send a plain request. Each case runs with the object
// called through the worker (`/do`, a stub fetch from Rust) and directly from here (a stub from
// Miniflare). A control never arms. A last pair of cases repeats the throw_str failure 20 times
// and compares the live heap and the stack pointer before and after.
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

const dir = process.argv[2] ?? "build";
const ANSWER_MS = 15_000;
const REPEAT = 20;

function start() {
  return new Miniflare({
    modules: true,
    scriptPath: fileURLToPath(new URL(`${dir}/index.js`, import.meta.url)),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-09-01",
    durableObjects: { PROBE: "Probe" },
    // The first line of each error the worker logs (not the stacks); its console.log lines are
    // in the timeline already.
    handleRuntimeStdio(stdout, stderr) {
      createInterface({ input: stdout }).on("line", () => {});
      createInterface({ input: stderr }).on("line", (line) => /^\S/.test(line) && console.log(`      [workerd] ${line}`));
    },
  });
}

/** A response or a rejection, as `status text`; a request still open after ANSWER_MS is status 0. */
async function answer(promise) {
  const settled = promise.then(
    async (res) => ({ status: res.status, text: await res.text() }),
    (e) => ({ status: "rejected", text: String(e?.message ?? e) }),
  );
  const late = new Promise((resolve) => setTimeout(resolve, ANSWER_MS, { status: 0, text: `no answer within ${ANSWER_MS / 1000} s` }));
  const r = await Promise.race([settled, late]);
  if (r.text.includes("canceled this request")) r.text = "(canceled by workerd as hung)";
  return r;
}
const get = (mf, path) => answer(mf.dispatchFetch(`http://repro${path}`));
async function direct(mf, name) {
  const ns = await mf.getDurableObjectNamespace("PROBE");
  return answer(ns.get(ns.idFromName(name)).fetch("http://probe/"));
}
const show = (r) => `${r.status} ${r.text.length > 160 ? `${r.text.slice(0, 160)}…` : r.text}`;

// Events a reset consists of: the shim's announcement, the new instance, wasm-bindgen's start
// function bumping instanceId, the shim clearing criticalError and bumping instanceId again.
const RESET_EVENT = /^(shim: |new WebAssembly\.Instance|instanceId=|criticalError=false$)/;

/**
 * Runs `steps` in a fresh isolate. Each step is preceded by `/mark?step=…`, so the isolate's
 * timeline splits into one segment per step; a segment's trailing run of reset events happened
 * at the entry of the next request (resets are lazy), and is reported as `deferred`.
 */
async function runCase(label, steps) {
  console.log(`\n== ${dir}: ${label}`);
  const mf = start();
  const out = [];
  let timeline;
  try {
    for (const [name, action] of steps) {
      await get(mf, `/mark?step=${encodeURIComponent(name)}`);
      const r = typeof action === "string" ? await get(mf, action) : await direct(mf, action.direct);
      let state;
      try {
        state = JSON.parse(r.text);
      } catch {}
      out.push({ name, action: typeof action === "string" ? action : `(direct stub) ${action.direct}`, r, state });
    }
    timeline = JSON.parse((await get(mf, "/events")).text);
  } finally {
    await mf.dispose();
  }
  const segments = new Map();
  let current;
  for (const e of timeline) {
    const m = /^-> \/mark\?step=(.*)$/.exec(e);
    if (m) segments.set((current = decodeURIComponent(m[1])), []);
    else if (current !== undefined && !e.startsWith("-> /events")) segments.get(current).push(e);
  }
  for (const step of out) {
    const events = segments.get(step.name) ?? [];
    let cut = events.length;
    while (cut > 0 && RESET_EVENT.test(events[cut - 1])) cut--;
    step.during = events.slice(0, cut);
    step.deferred = events.slice(cut);
    const mem = step.state?.liveHeapBytes !== undefined ? ` [heap ${step.state.liveHeapBytes} B, stack probe ${step.state.stackProbe}]` : "";
    console.log(`  ${step.name.padEnd(16)} ${step.action.padEnd(22)} ${show(step.r)}${mem}`);
    console.log(`      events: ${step.during.join(", ") || "-"}`);
    if (step.deferred.length) console.log(`      then, at the next request's entry: ${step.deferred.join(", ")}`);
  }
  return out;
}

const probe = start();
const unwind = JSON.parse((await get(probe, "/")).text).unwind;
await probe.dispose();
// A panic resets the instance only in the default (panic=abort) build; a trap does in both.
const fault = unwind ? "/trap" : "/panic";

const problems = [];
const notes = [];
const summary = [];
for (const via of ["worker", "direct"]) {
  const call = via === "worker" ? "/do?name=a" : { direct: "a" };
  const control = await runCase(`control, DO called via ${via} (never armed)`, [
    ["call (build)", call], ["fault", fault], ["after fault", "/"], ["call (rebuild)", call], ["call again", call], ["plain", "/"],
  ]);
  const controlBad = control.filter((s) => s.name !== "fault" && s.r.status !== 200);
  if (controlBad.length) problems.push(`control via ${via}: ${controlBad.map((s) => `${s.name} ${show(s.r)}`).join("; ")}`);
  for (const mode of ["panic", "js", "throw_str"]) {
    const first = await runCase(`constructor fails at FIRST construction (${mode}), DO called via ${via}`, [
      ["arm", `/arm?mode=${mode}`], ["call (build)", call], ["next request", "/"], ["disarm", "/arm?mode="], ["call again", call], ["plain", "/"],
    ]);
    const rebuild = await runCase(`constructor fails at REBUILD after a reset (${mode}), DO called via ${via}`, [
      ["call (build)", call], ["arm", `/arm?mode=${mode}`], ["fault", fault], ["after fault", "/"],
      ["call (rebuild)", call], ["next request", "/"], ["disarm", "/arm?mode="], ["call again", call], ["plain", "/"],
    ]);
    const outcome = (log, failing) => {
      const f = log.find((s) => s.name === failing);
      const recovered = ["call again", "plain"].every((n) => log.find((s) => s.name === n).r.status === 200);
      return {
        answer: f.r.status === 0 || f.r.text.includes("canceled") ? "hangs" : `fails (${f.r.status})`,
        criticalTrue: f.during.includes("criticalError=true"),
        shimReset: f.deferred.some((e) => e.startsWith("shim: ")),
        resets: f.deferred.filter((e) => e.startsWith("new WebAssembly.Instance")).length,
        recovered,
      };
    };
    const f = outcome(first, "call (build)");
    const r = outcome(rebuild, "call (rebuild)");
    const line = (o) => `call ${o.answer}, criticalError=true written ${o.criticalTrue ? "yes" : "no"}, shim reset at next request ${o.shimReset ? "yes" : "no"}, resets ${o.resets}, recovers ${o.recovered ? "yes" : "no"}`;
    summary.push(`via ${via.padEnd(6)} ${mode.padEnd(9)} first:   ${line(f)}`, `${"".padEnd(21)}rebuild: ${line(r)}`);
    const what = `${mode} via ${via}`;
    if (r.answer === "hangs" && f.answer !== "hangs") problems.push(`${what}: the call that rebuilds the object hangs; at first construction it fails`);
    if (f.resets > 0 && r.resets === 0) problems.push(`${what}: a first-construction failure resets the instance (criticalError=true, shim reset); a rebuild failure leaves criticalError false and the instance is never reset`);
    else if (f.shimReset && !r.shimReset) notes.push(`${what}: the rebuild failure does not set criticalError (no shim reset), but the instance is still reset (${r.resets}x, by wasm-bindgen)`);
    if (f.recovered && !r.recovered) problems.push(`${what}: the worker recovers after a first-construction failure but not after a rebuild failure`);
  }
}

// What a failure leaves behind when no reset follows: the live heap and the stack pointer
// after REPEAT failed first constructions, REPEAT failed rebuilds, and REPEAT good calls.
const repeat = async (label, mode, kind) => {
  const steps = kind === "first"
    ? [["arm", `/arm?mode=${mode}`], ["before", "/"]]
    : [["call (build)", "/do?name=a"], ["arm", `/arm?mode=${mode}`], ["fault", fault], ["before", "/"]];
  for (let i = 1; i <= REPEAT; i++) steps.push([`call ${i}`, "/do?name=a"]);
  steps.push(["after", "/"]);
  const log = await runCase(label, steps);
  const [before, after] = ["before", "after"].map((n) => log.find((s) => s.name === n).state);
  const calls = log.filter((s) => /^call \d+$/.test(s.name));
  return {
    heap: after.liveHeapBytes - before.liveHeapBytes,
    stack: before.stackProbe - after.stackProbe,
    statuses: [...new Set(calls.map((s) => s.r.status))].join("/"),
    resets: calls.flatMap((s) => [...s.during, ...s.deferred]).filter((e) => e.startsWith("new WebAssembly.Instance")).length,
  };
};
const good = await repeat(`${REPEAT} good calls after a reset (control)`, "", "rebuild");
const badFirst = await repeat(`${REPEAT} throw_str first-construction failures`, "throw_str", "first");
const badRebuild = await repeat(`${REPEAT} throw_str rebuild failures after a reset`, "throw_str", "rebuild");
for (const [label, m] of [["good calls", good], ["throw_str first-construction failures", badFirst], ["throw_str rebuild failures", badRebuild]]) {
  summary.push(`${REPEAT} ${label.padEnd(37)} answers ${m.statuses}, resets ${m.resets}, live heap +${m.heap} B, stack pointer down ${m.stack} B`);
}
const baseHeap = Math.max(good.heap, badFirst.heap);
const baseStack = Math.max(good.stack, badFirst.stack);
if (badRebuild.heap > baseHeap || badRebuild.stack > baseStack) {
  problems.push(`${REPEAT} throw_str rebuild failures leave ${badRebuild.heap - baseHeap} B of heap and ${badRebuild.stack - baseStack} B of shadow stack behind ` +
    `(${((badRebuild.heap - baseHeap) / REPEAT).toFixed(0)} B and ${((badRebuild.stack - baseStack) / REPEAT).toFixed(0)} B per failure) ` +
    `that the same failures at first construction do not (+${badFirst.heap} B, ${badFirst.stack} B: each is followed by a reset)`);
} else if (badFirst.heap > good.heap || badFirst.stack > good.stack) {
  notes.push(`throw_str failures leak alike at first construction and at rebuild (+${badFirst.heap} / +${badRebuild.heap} B heap, ${badFirst.stack} / ${badRebuild.stack} B stack over ${REPEAT}): not specific to the rebuild`);
}

console.log(`\n== ${dir}: summary (${unwind ? "--panic-unwind" : "panic=abort"}; the fault is ${fault})`);
for (const line of summary) console.log(`  ${line}`);
for (const n of notes) console.log(`note: ${n}`);
if (problems.length) {
  for (const p of problems) console.log(`BUG: ${p}`);
  process.exit(1);
}
console.log("ok: a constructor failure at rebuild is handled like one at first construction, and the worker recovers");
