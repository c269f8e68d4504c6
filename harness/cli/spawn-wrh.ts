// Test helper: runs the `wrh` CLI as a user would, on the project's pinned Node.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../project.ts";

// The Node that npm scripts and `npx wrh` resolve to.
const PINNED_NODE = join(PROJECT_ROOT, "node_modules/.bin/node");

export function wrh(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(PINNED_NODE, [join(PROJECT_ROOT, "harness/cli/wrh.ts"), ...args], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
