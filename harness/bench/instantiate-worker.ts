// A raw `new WebAssembly.Instance` of a real workers-rs build's module, inside workerd: a tiny
// worker of its own that imports the build's wasm (a CompiledWasm module) and instantiates it with
// stub imports (a no-op per function import, an externref tag per tag import — the shapes
// wasm-bindgen's imports have), built once per request. That is the engine's cost alone:
// no glue import object, no `__wbindgen_start`, as the reference runtime's `instantiate`
// measures it. The real worker cannot host this: the `--no-panic-recovery` build's bundler
// target has no `wasm_bindgen::module()`, and worker-build's bundle keeps the module private.
// It answers `/__harness/bench?op=instantiate&n=` like the canaries, so perOperationCost
// (in-worker.ts) measures it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readRealManifest, type RealModeName } from "../build/real-build.ts";
import { variantDistDir } from "../project.ts";
import { type RunningWorker, launch } from "../runner/start-worker.ts";
import { readWorkerRuntimeConfig } from "../runner/wrangler-config.ts";

const SOURCE = `
import MODULE from "./module.wasm";
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? 0);
    if (url.pathname !== "/__harness/bench" || url.searchParams.get("op") !== "instantiate" || !Number.isInteger(n)) {
      return new Response("only /__harness/bench?op=instantiate&n=", { status: 400 });
    }
    const imports = {};
    for (const { module, name, kind } of WebAssembly.Module.imports(MODULE)) {
      (imports[module] ??= {})[name] = kind === "tag" ? new WebAssembly.Tag({ parameters: ["externref"] }) : () => {};
    }
    for (let i = 0; i < n; i++) new WebAssembly.Instance(MODULE, imports);
    return Response.json({ op: "instantiate", n });
  },
};
`;

/** Starts the instantiation bench for `mode`'s shipped wasm (dist/<mode>/…). */
export async function startInstantiateBench(mode: RealModeName): Promise<RunningWorker> {
  const manifest = readRealManifest(mode);
  if (!manifest) throw new Error(`real build ${mode} is not built; run \`npx wrh build --variant ${mode}\``);
  const { compatibilityDate, compatibilityFlags } = await readWorkerRuntimeConfig();
  return launch(`instantiate bench for ${mode}`, [{
    name: `instantiate-${mode}`,
    modules: [
      { type: "ESModule", path: "bench.mjs", contents: SOURCE },
      { type: "CompiledWasm", path: "module.wasm", contents: readFileSync(join(variantDistDir(mode), manifest.wasm.file)) },
    ],
    compatibilityDate,
    compatibilityFlags,
  }]);
}
