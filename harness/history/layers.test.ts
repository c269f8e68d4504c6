// The layers the folders promise, checked on the imports themselves: the history is the schema
// every stage shares and depends on nothing but the protocol's constants; the checkers are pure
// functions of a history (no engine, runner or Miniflare); the reports sit on the checkers; and
// every folder of harness/ sits in a layer and imports only from the layers below it, so no
// import runs back up and there is no cycle.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../project.ts";

/** Folders (under harness/) each folder's non-test modules import. */
function importedFolders(folder: string): Map<string, string[]> {
  const dir = join(PROJECT_ROOT, "harness", folder);
  const found = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
    for (const [, spec] of readFileSync(join(dir, file), "utf8").matchAll(/(?:from|import\(?) *"([^"]+)"/g)) {
      const target = spec!.startsWith(".") ? relative(join(PROJECT_ROOT, "harness"), resolve(dir, spec!)).split("/")[0]! : spec!;
      if (target !== folder) found.set(target, [...(found.get(target) ?? []), file]);
    }
  }
  return found;
}

const allowed = (folder: string, may: readonly string[]) => {
  const outside = [...importedFolders(folder)].filter(([target]) => !may.includes(target) && !target.startsWith("node:"));
  expect(Object.fromEntries(outside), `${folder}/ imports what it must not`).toEqual({});
};

describe("layers", () => {
  it("history/ imports only the protocol's constants and the error kinds", () => allowed("history", ["protocol", "errors.ts"]));
  it("checkers/ import only the history and the protocol", () => allowed("checkers", ["history", "protocol"]));
  // duration.ts is a leaf (it imports nothing): how every stage prints a time.
  it("report/ imports only the checkers, the history, the protocol and the duration format", () => allowed("report", ["checkers", "history", "protocol", "duration.ts"]));

  it("every folder imports only from the layers below its own: nothing runs back up, so there is no cycle", () => {
    const placed = new Map(LAYERS.flatMap((layer, rank) => layer.map((name) => [name, rank] as const)));
    const folders = readdirSync(join(PROJECT_ROOT, "harness")).filter((name) => statSync(join(PROJECT_ROOT, "harness", name)).isDirectory());
    expect(folders.filter((name) => !placed.has(name)), "folders of harness/ in no layer").toEqual([]);
    const upward: Record<string, string[]> = {};
    for (const folder of folders) {
      for (const [target, files] of importedFolders(folder)) {
        // Anything not placed is outside harness/ (an npm package, node:, the catalog).
        const rank = placed.get(target);
        if (rank !== undefined && rank >= placed.get(folder)!) upward[`${folder} → ${target}`] = files;
      }
    }
    expect(upward).toEqual({});
  });
});

/**
 * harness/'s folders (and its top-level modules), lowest layer first. A new folder goes where
 * what it imports puts it.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["protocol", "duration.ts", "project.ts", "errors.ts", "setup"],
  ["history", "shim"],
  ["checkers", "build"],
  ["report", "runner", "mutants"],
  ["engine", "releases"],
  ["profile"],
  ["matrix"],
  ["cli", "vitest"],
  ["bench", "upstream", "testing", "package", "index.ts"],
];

