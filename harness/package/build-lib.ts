// Builds lib/, what the npm package runs (`npm pack` calls this as prepack): the harness and the
// scenario catalog compiled to JavaScript with declarations (tsconfig.pack.json), because Node
// never strips types under node_modules. Beside them, what they read at run time from the
// project root (harness/project.ts): the built-in profiles, and the canary's wrangler.toml, whose
// compatibility settings a worker given as a built directory runs with.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PROJECT_ROOT } from "../project.ts";

const LIB = join(PROJECT_ROOT, "lib");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

rmSync(LIB, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, "-p", join(PROJECT_ROOT, "tsconfig.pack.json")], { stdio: "inherit" });
if (compiled.status !== 0) {
  process.stderr.write("wrh: compiling lib/ failed (tsc above)\n");
  process.exit(1);
}
mkdirSync(join(LIB, "profiles"));
for (const file of readdirSync(join(PROJECT_ROOT, "profiles")).filter((f) => f.endsWith(".json"))) {
  copyFileSync(join(PROJECT_ROOT, "profiles", file), join(LIB, "profiles", file));
}
copyFileSync(join(PROJECT_ROOT, "wrangler.toml"), join(LIB, "wrangler.toml"));
