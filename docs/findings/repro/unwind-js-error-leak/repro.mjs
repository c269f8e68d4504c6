// Does a JS exception thrown through the fetch handler leak Rust heap? Runs the built worker
// (build/index.js, built with --panic-unwind) in workerd via Miniflare and reads the live heap
// (bytes allocated and not freed, from a counting #[global_allocator]) around batches of requests:
// plain requests (control), then JS errors with a formatted message, with a 1000-byte Vec held
// across the throwing call, and with nothing on the heap.
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

const mf = new Miniflare({
  modules: true,
  scriptPath: fileURLToPath(new URL("build/index.js", import.meta.url)),
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate: "2025-09-01",
  // The worker's console output, first line of each error (not the stacks), once per kind.
  handleRuntimeStdio(stdout, stderr) {
    const seen = new Set();
    for (const input of [stdout, stderr]) {
      createInterface({ input }).on("line", (line) => {
        if (!/^\S/.test(line) || seen.has(line)) return;
        seen.add(line);
        console.log(`  [workerd] ${line}`);
      });
    }
  },
});

async function get(path) {
  const res = await mf.dispatchFetch(`http://repro${path}`);
  const text = await res.text();
  return `${res.status} ${text.includes("canceled this request") ? "(canceled by workerd as hung)" : text}`;
}
const liveHeap = async () => JSON.parse((await get("/")).slice(4)).liveHeapBytes;

// `count` requests to `path`, 10 at a time; returns how many of each answer came back.
async function batch(path, count) {
  const answers = {};
  for (let done = 0; done < count; done += 10) {
    for (const answer of await Promise.all(Array.from({ length: Math.min(10, count - done) }, () => get(path)))) {
      answers[answer] = (answers[answer] ?? 0) + 1;
    }
  }
  return answers;
}

const grew = {};
let heap = await liveHeap();
for (const [path, count] of [["/", 100], ["/js-error", 400], ["/js-error", 100],
  ["/js-error-holding-1000-bytes", 100], ["/js-error-holding-nothing", 100]]) {
  const answers = await batch(path, count);
  const after = await liveHeap();
  const perRequest = (after - heap) / count;
  console.log(`${String(count).padStart(3)} x ${path.padEnd(29)} live heap ${String(heap).padStart(6)} -> ${String(after).padStart(6)} B ` +
    `(+${after - heap} B, ${perRequest.toFixed(1)} B/request) | answers: ${JSON.stringify(answers)}`);
  (grew[path] ??= []).push(perRequest);
  heap = after;
}
await mf.dispose();

if (grew["/js-error"].every((b) => b > 0)) {
  console.log(`BUG: each JS error thrown through the fetch handler leaks what its frame held ` +
    `(${grew["/js-error"].map((b) => `${b} B`).join(", ")} per request with a formatted message; ` +
    `${grew["/js-error-holding-1000-bytes"][0]} B holding a 1000-byte Vec; ${grew["/js-error-holding-nothing"][0]} B holding nothing)`);
  process.exit(1);
}
console.log("ok: JS errors through the fetch handler do not grow the live heap");
