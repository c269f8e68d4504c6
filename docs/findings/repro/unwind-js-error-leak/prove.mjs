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
import { Miniflare } from "miniflare";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const runsArg = args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;
if (!(RUNS >= 1)) throw new Error("--runs wants a positive number");
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
    config: v.config ?? "",
    patch: v.patch ?? null,
    sources: ["Cargo.toml", "Cargo.lock", "src/lib.rs"].map((f) => readFileSync(join(here, f), "utf8")),
  });
  const stamp = join(dir, "build", "prove-inputs.json");
  if (!args.includes("--build") && existsSync(stamp) && readFileSync(stamp, "utf8") === inputs) return 0;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, ".cargo"), { recursive: true });
  for (const f of ["Cargo.toml", "Cargo.lock", "src"]) cpSync(join(here, f), join(dir, f), { recursive: true });
  let config = v.config ?? "";
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
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(`\n${RUNS} run(s), a fresh workerd per build and run; live heap from the worker's counting allocator\n`);
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));

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
