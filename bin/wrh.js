#!/usr/bin/env node
// The `wrh` executable. In a clone of the repository it runs the TypeScript sources (Node strips
// their types); in an installed package, where Node never strips types under node_modules, the
// JavaScript compiled at pack time (lib/). Plain JavaScript, so any Node can read it far enough
// to refuse.
import { existsSync } from "node:fs";

const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  process.stderr.write(`wrh: needs Node 22 or newer; this is Node ${process.version}\n`);
  process.exit(2);
}

const source = new URL("../harness/cli/wrh.ts", import.meta.url);
await import(existsSync(source) ? source.href : new URL("../lib/harness/cli/wrh.js", import.meta.url).href);
