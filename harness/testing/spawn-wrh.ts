// Test helper: runs the `wrh` CLI as a user would, on the project's pinned Node.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../project.ts";

// The Node that npm scripts and `npx wrh` resolve to.
const PINNED_NODE = join(PROJECT_ROOT, "node_modules/.bin/node");

export function wrh(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(PINNED_NODE, [join(PROJECT_ROOT, "harness/cli/wrh.ts"), ...args], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A profile file: workers-rs-test with the SOME_SECRET its counter reads (a built directory has
 * no `.dev.vars` to give it), for `--worker dist/…`.
 */
export function profileWithSecret(): string {
  const profile = { ...JSON.parse(readFileSync(join(PROJECT_ROOT, "profiles/workers-rs-test.json"), "utf8")), name: "workers-rs-test-secret", vars: { SOME_SECRET: "x" } };
  const file = join(mkdtempSync(join(tmpdir(), "wrh-profile-")), "workers-rs-test-secret.json");
  writeFileSync(file, JSON.stringify(profile));
  return file;
}
