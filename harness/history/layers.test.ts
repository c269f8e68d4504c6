// The layers the folders promise, checked on the imports themselves: the history is the schema
// every stage shares and depends on nothing but the protocol's constants; the checkers are pure
// functions of a history (no engine, runner or Miniflare); the reports sit on the checkers.
import { readdirSync, readFileSync } from "node:fs";
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
  it("history/ imports only the protocol's constants", () => allowed("history", ["protocol"]));
  it("checkers/ import only the history and the protocol", () => allowed("checkers", ["history", "protocol"]));
  // duration.ts is a leaf (it imports nothing): how every stage prints a time.
  it("report/ imports only the checkers, the history, the protocol and the duration format", () => allowed("report", ["checkers", "history", "protocol", "duration.ts"]));
});
