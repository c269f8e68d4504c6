// Why does a JS exception through the fetch handler leak what the handler's frame held (F8)?
// Rebuilds this worker three ways with worker-build --release --panic-unwind and measures the live
// heap kept per JS error in each:
//
//   shipped   as in Cargo.toml ([profile.release] opt-level "s", LTO, one codegen unit)
//   opt0      the same with opt-level 0 (a generated Cargo config; Cargo.toml stays as shipped)
//   c-unwind  opt-level "s", with wasm-bindgen-macro-support 0.2.130 patched ([patch.crates-io] in a
//             generated Cargo config) to declare imports in `extern "C-unwind"` instead of `extern "C"`
//
// Each variant is built from a copy of Cargo.toml, Cargo.lock and src/ in prove-build/<variant>/
// (the patched crate is copied from ~/.cargo/registry/src into prove-build/crates/ and edited there,
// the edit made exactly once; one target dir, prove-build/target or $CARGO_TARGET_DIR), so Cargo.toml
// and Cargo.lock stay as shipped. A build is reused while its inputs are unchanged; --build rebuilds.
// Every variant runs in a fresh workerd (Miniflare), every request has a deadline. Prints a table,
// writes prove-out/results.json, exits 1 when the bytes kept per request differ from the recorded
// proof (docs/findings.md F8):
//
//   node prove.mjs [--runs N] [--build]
//
// Which worker-build: ../prove-util.mjs (offline with the workers-recovery-harness's tool cache when
// there is no other).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { buildVariant, printTable, proveArgs } from "../prove-util.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { runs: RUNS, rebuild } = proveArgs(3);
const REQUEST_MS = 15_000;

// ---- the variants -------------------------------------------------------------------------------

const MACRO_SUPPORT = "wasm-bindgen-macro-support-0.2.130";
// `extern_fn` in codegen.rs: the block every `#[wasm_bindgen] extern "C" { fn … }` import is declared in.
const IMPORT_BLOCK = `        extern "C" {\n            fn #import_name(#(#abi_arguments),*) -> #abi_ret;`;

// `kept`: bytes kept per request, as recorded, for each route.
const VARIANTS = [
  { name: "shipped", config: "", kept: { "/js-error": 56, "/js-error-holding-1000-bytes": 1000, "/js-error-holding-nothing": 0 } },
  { name: "opt0", config: "[profile.release]\nopt-level = 0\n", kept: { "/js-error": 0, "/js-error-holding-1000-bytes": 0, "/js-error-holding-nothing": 0 } },
  {
    name: "c-unwind",
    patch: { crate: MACRO_SUPPORT, file: "src/codegen.rs", from: IMPORT_BLOCK, to: IMPORT_BLOCK.replace(`extern "C" {`, `extern "C-unwind" {`) },
    kept: { "/js-error": 0, "/js-error-holding-1000-bytes": 0, "/js-error-holding-nothing": 0 },
  },
];
const ROUTES = [["/js-error", 100], ["/js-error-holding-1000-bytes", 50], ["/js-error-holding-nothing", 50]];

// ---- build --------------------------------------------------------------------------------------

const work = join(here, "prove-build");

const buildSeconds = {};
for (const v of VARIANTS) {
  buildSeconds[v.name] = buildVariant({
    crateDir: here, work, name: v.name, buildArgs: ["--release", "--panic-unwind"], config: v.config ?? "", patch: v.patch, rebuild,
  });
}

// ---- run ----------------------------------------------------------------------------------------

async function measure(v, run) {
  const lines = [];
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(work, v.name, "build", "index.js"),
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
        return { status: res.status, text };
      } catch (e) {
        return { status: e?.name === "TimeoutError" ? "timeout" : "rejected", text: String(e?.message ?? e) };
      }
    };
    const answer = (r) => `${r.status}${r.text.includes("canceled this request") ? " canceled as hung" : r.status === 200 ? "" : ` ${r.text.split("\n")[0].slice(0, 60)}`}`;
    const liveHeap = async () => {
      const r = await get("/");
      if (r.status !== 200) throw new Error(`${v.name}: / answered ${answer(r)}`);
      return JSON.parse(r.text).liveHeapBytes;
    };
    // Warm up (first-request allocations), then the control: plain requests keep nothing.
    for (let i = 0; i < 10; i++) await liveHeap();
    const rows = [];
    let heap = await liveHeap();
    for (const [path, count] of [["/", 50], ...ROUTES]) {
      const answers = {};
      for (let done = 0; done < count; done += 10) {
        for (const r of await Promise.all(Array.from({ length: Math.min(10, count - done) }, () => get(path)))) {
          answers[answer(r)] = (answers[answer(r)] ?? 0) + 1;
        }
      }
      const after = await liveHeap();
      rows.push({ path, count, before: heap, after, keptPerRequest: (after - heap) / count, answers });
      heap = after;
    }
    return { run, variant: v.name, rows, log: [...new Set(lines)] };
  } finally {
    await mf.dispose();
  }
}

const results = [];
for (let run = 1; run <= RUNS; run++) {
  for (const v of VARIANTS) {
    const r = await measure(v, run);
    results.push(r);
    console.log(`run ${run} ${v.name.padEnd(9)} ` + r.rows.map((row) => `${row.path} ${row.keptPerRequest} B`).join(", "));
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
const header = ["build", ...[["/", 50], ...ROUTES].map(([p, n]) => `${p} (${n}): B kept per request`), "JS error answers"];
const rows = VARIANTS.map((v) => {
  const rs = results.filter((r) => r.variant === v.name);
  return [v.name, ...[["/"], ...ROUTES].map(([p]) => tally(rs.map((r) => r.rows.find((row) => row.path === p).keptPerRequest))),
    tally(rs.flatMap((r) => r.rows.filter((row) => row.path !== "/").flatMap((row) => Object.keys(row.answers))))];
});
console.log(`\n${RUNS} run(s), a fresh workerd per build and run; live heap from the worker's counting allocator\n`);
printTable(header, rows);

const differing = [];
for (const r of results) {
  const v = VARIANTS.find((x) => x.name === r.variant);
  for (const row of r.rows) {
    const expected = row.path === "/" ? 0 : v.kept[row.path];
    if (row.keptPerRequest !== expected) differing.push(`run ${r.run} ${r.variant} ${row.path}: ${row.keptPerRequest} B, recorded ${expected} B`);
  }
}
if (differing.length) {
  console.log(`\nDIFFERS from the recorded proof: ${differing.join("; ")}`);
  process.exit(1);
}
console.log("\nas recorded: the shipped build keeps what the frame held; opt-level 0 and a C-unwind import keep nothing");
