// When one spawn_local task of an executor tick unwinds (a JS exception or a panic), do the other
// tasks of that tick still run? Runs the built worker (build-unwind/index.js, or the folder given
// as argument) in workerd via Miniflare, a fresh isolate per case. One request spawns a task that
// faults when a Rust gate opens, plus 8 tasks that count a completion on globalThis when it opens;
// it opens the gate (the faulting task is woken first) and reads the count in plain JS 50 ms later,
// before anything enters Wasm again. Each fault is run twice:
//   wait:     the handler awaits that 50 ms read, then reports the count again once it resumes
//             (its own wake-up is the next entry into Wasm);
//   no wait:  the handler answers at once; a JS timer (kept alive by waitUntil) stores the count
//             1 s later, and a second request, sent after 1.2 s, reports that and the count it sees.
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

const dir = process.argv[2] ?? "build-unwind";
const ANSWER_MS = 15_000;
const TASKS = 8;

function start() {
  return new Miniflare({
    modules: true,
    scriptPath: fileURLToPath(new URL(`${dir}/index.js`, import.meta.url)),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-09-01",
    // The first line of each message the worker logs (not the stacks).
    handleRuntimeStdio(stdout, stderr) {
      for (const input of [stdout, stderr]) {
        createInterface({ input }).on("line", (line) => /^\S/.test(line) && console.log(`      [workerd] ${line}`));
      }
    },
  });
}

/** `{status, text, json}`; a request still open after ANSWER_MS is status 0. */
async function get(mf, path) {
  const settled = mf.dispatchFetch(`http://repro${path}`).then(
    async (res) => ({ status: res.status, text: await res.text() }),
    (e) => ({ status: "rejected", text: String(e?.message ?? e) }),
  );
  const late = new Promise((resolve) => setTimeout(resolve, ANSWER_MS, { status: 0, text: `no answer within ${ANSWER_MS / 1000} s` }));
  const r = await Promise.race([settled, late]);
  if (r.text.includes("canceled this request")) r.text = "(canceled by workerd as hung)";
  try {
    r.json = JSON.parse(r.text);
  } catch {}
  console.log(`  ${path.padEnd(30)} ${r.status} ${r.text}`);
  return r;
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(fault, wait) {
  console.log(`\n== ${dir}: fault=${fault}, ${wait ? "wait" : "no wait"}`);
  const mf = start();
  try {
    const before = await get(mf, "/");
    const first = await get(mf, `/batch?fault=${fault}${wait ? "" : "&wait=no"}`);
    if (!wait) await sleep(1200);
    const second = await get(mf, "/count");
    return { before, first, second };
  } finally {
    await mf.dispose();
  }
}

const probe = start();
const { unwind } = (await get(probe, "/")).json;
await probe.dispose();

const summary = [];
const problems = [];
const notes = [];
const shown = (n) => (n === undefined ? "-" : `${n}/${TASKS}`);
for (const fault of ["none", "js-error", "panic"]) {
  const w = await run(fault, true);
  const n = await run(fault, false);
  const b = w.first.json ?? {};
  const reset = (c) => c.second.json?.instanceId !== c.before.json.instanceId;
  summary.push(
    `fault=${fault.padEnd(8)} wait:    request ${w.first.status}, done 50 ms after the gate opened ${shown(b.doneAt50ms)}, ` +
      `when the handler resumed ${shown(b.doneWhenHandlerResumed)}; next request sees ${shown(w.second.json?.done)}${reset(w) ? " (instance was reset)" : ""}`,
    `${"".padEnd(14)} no wait: request ${n.first.status}, done 1 s after the gate opened ${shown(n.second.json?.doneAt1s)}, ` +
      `seen by a second request 1.2 s later ${shown(n.second.json?.done)}${reset(n) ? " (instance was reset)" : ""}`,
  );
  const stranded = (at, later) => at !== undefined && at < TASKS && later === TASKS;
  if (stranded(b.doneAt50ms, b.doneWhenHandlerResumed)) {
    problems.push(`fault=${fault}: ${TASKS - b.doneAt50ms} of ${TASKS} tasks woken in the same tick as the faulting task had not run 50 ms later; they ran only when the handler's own wake-up re-entered Wasm`);
  }
  if (stranded(n.second.json?.doneAt1s, n.second.json?.done) && !reset(n)) {
    problems.push(`fault=${fault}: ${TASKS - n.second.json.doneAt1s} of ${TASKS} tasks still had not run 1 s later; the next, unrelated request ran them`);
  }
  if (fault !== "none" && (reset(w) || reset(n))) {
    notes.push(`fault=${fault}: the fault reset the instance; the ${TASKS} tasks were discarded with it (not stranded: nothing of theirs survives)`);
  }
  if (fault === "none" && (b.doneAt50ms !== TASKS || n.second.json?.doneAt1s !== TASKS)) {
    console.log(`\nthe control did not complete ${TASKS}/${TASKS} tasks; nothing can be concluded`);
    process.exit(2);
  }
}

console.log(`\n== ${dir}: summary (${unwind ? "--panic-unwind" : "panic=abort"})`);
for (const line of summary) console.log(`  ${line}`);
for (const n of notes) console.log(`note: ${n}`);
if (problems.length) {
  for (const p of problems) console.log(`BUG: ${p}`);
  process.exit(1);
}
console.log(`ok: no task was stranded behind a faulting task`);
