// The part of workers-rs's test/tests/mf.ts that F10's test needs: the built worker and the
// Durable Object binding it adds (REBUILD_ERROR, also to be added to test/wrangler.toml).
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
      durableObjects: {
        REBUILD_ERROR: "RebuildError",
      },
    },
  ],
});

export const mf = mf_instance;
export const mfUrl = await mf.ready;
