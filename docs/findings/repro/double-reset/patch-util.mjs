// Shared by patch-a.mjs and patch-b.mjs: a regex edit of worker-build's output (build/index.js,
// the esbuild-minified bundle of wasm-bindgen's glue and worker-build's shim) that must match
// exactly once, and the command-line wrapper that applies a patch to a file in place.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `text` with the single match of `re` replaced; throws unless `re` matches exactly once. */
export function replaceOnce(text, re, replacement, site) {
  const global = new RegExp(re.source, re.flags.includes("g") ? re.flags : re.flags + "g");
  const count = [...text.matchAll(global)].length;
  if (count !== 1) throw new Error(`patch site "${site}" matched ${count} times (want exactly 1): ${re}`);
  return text.replace(re, replacement);
}

/** The single match of `re` in `text` (its capture groups); throws unless it matches exactly once. */
export function findOnce(text, re, site) {
  const global = new RegExp(re.source, re.flags.includes("g") ? re.flags : re.flags + "g");
  const matches = [...text.matchAll(global)];
  if (matches.length !== 1) throw new Error(`patch site "${site}" matched ${matches.length} times (want exactly 1): ${re}`);
  return matches[0];
}

/** Identifiers of the minified bundle (esbuild renames them per build, so they are captured, not assumed). */
export const ID = String.raw`[A-Za-z_$][\w$]*`;

/** Regex-escapes an identifier captured from the bundle. */
export const esc = (id) => id.replace(/\$/g, "\\$");

/** Runs `patch` on the file named on the command line when `moduleUrl` is the script node was started with. */
export function cli(moduleUrl, name, patch) {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  const file = process.argv[2];
  if (!file) {
    console.error(`usage: node ${name} <built index.js>   (patches the file in place)`);
    process.exit(2);
  }
  try {
    writeFileSync(file, patch(readFileSync(file, "utf8")));
  } catch (e) {
    console.error(`${name}: ${file}: ${e.message}`);
    process.exit(1);
  }
  console.log(`${name}: patched ${file}`);
}
