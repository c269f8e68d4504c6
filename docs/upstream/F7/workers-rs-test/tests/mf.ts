// The part of workers-rs's test/tests/mf.ts that F7's test needs: the built worker (the test
// adds no binding).
import { Miniflare } from "miniflare";

const mf_instance = new Miniflare({
  workers: [
    {
      scriptPath: "./build/index.js",
      compatibilityDate: "2025-07-24",
      modules: true,
      modulesRules: [
        { type: "CompiledWasm", include: ["**/*.wasm"], fallthrough: true },
      ],
    },
  ],
});

export const mf = mf_instance;
export const mfUrl = await mf.ready;
