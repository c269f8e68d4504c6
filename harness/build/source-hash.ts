// Content hashes that decide whether a build output is current. Hashing contents (not
// mtimes) keeps a fresh clone, a `touch` or a branch switch from forcing a rebuild.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

function filesUnder(dir: string, skipDirs: ReadonlySet<string>): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name)) files.push(...filesUnder(path, skipDirs));
    } else if (entry.isFile()) {
      files.push(path);
    }
  }
  return files;
}

/** SHA-256 over the relative path and contents of every file under `dir`. */
export function hashTree(dir: string, skipDirs: ReadonlySet<string> = new Set()): string {
  const hash = createHash("sha256");
  for (const file of filesUnder(dir, skipDirs).sort()) {
    hash.update(relative(dir, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

/** SHA-256 over strings, each terminated so that ["ab","c"] and ["a","bc"] differ. */
export function hashStrings(parts: readonly string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("hex");
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
