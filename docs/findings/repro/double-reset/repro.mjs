// One fault, one reset? Runs the built worker (build/index.js) in workerd via Miniflare and
// counts resets around a panic and around a trap, once alone (control) and once while another
// request sleeps on a `worker::Delay` whose timer fires before the next request.
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare } from "miniflare";

const mf = new Miniflare({
  modules: true,
  scriptPath: fileURLToPath(new URL("build/index.js", import.meta.url)),
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate: "2025-09-01",
  // The worker's console.log lines, and the first line of each error it logs (not the stacks).
  handleRuntimeStdio(stdout, stderr) {
    createInterface({ input: stdout }).on("line", (line) => console.log(`  [workerd] ${line}`));
    createInterface({ input: stderr }).on("line", (line) => /^\S/.test(line) && console.log(`  [workerd] ${line}`));
  },
});

async function get(path) {
  const res = await mf.dispatchFetch(`http://repro${path}`);
  const text = await res.text();
  return `${res.status} ${text.includes("canceled this request") ? "(canceled by workerd as hung)" : text}`;
}
const state = async () => JSON.parse((await get("/")).slice(4));

async function round(fault, withSleeper) {
  const before = await state();
  const sleeper = withSleeper ? get("/sleep") : undefined; // its timer fires after 500 ms
  if (sleeper) await sleep(100);
  const faulted = await get(`/${fault}`);
  const slept = sleeper ? await sleeper : "-";
  const after = await state();
  const d = { instanceId: after.instanceId - before.instanceId, instances: after.instances - before.instances };
  console.log(`${`/${fault}${withSleeper ? " + sleeper" : ""}`.padEnd(18)} instanceId ${before.instanceId} -> ${after.instanceId} (+${d.instanceId}), ` +
    `WebAssembly.Instance constructions +${d.instances} | /${fault}: ${faulted} | /sleep: ${slept}`);
  return d;
}

const results = [];
for (const fault of ["panic", "trap"]) {
  const control = await round(fault, false);
  const withSleeper = await round(fault, true);
  results.push({ fault, control, withSleeper });
}
await mf.dispose();

const doubled = results.filter((r) => r.withSleeper.instances > r.control.instances);
if (doubled.length) {
  console.log(`BUG: one ${doubled.map((r) => r.fault).join("/")} with a sleeping request resets the instance ` +
    `${doubled.map((r) => r.withSleeper.instances).join("/")} times (alone: ${doubled.map((r) => r.control.instances).join("/")})`);
  process.exit(1);
}
console.log("ok: one fault, one reset, with or without a sleeping request");
