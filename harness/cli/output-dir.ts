// Where a command writes: one folder per command run, never shared. A folder that already
// holds files is refused (re-using one would mix two runs in one history.jsonl), and a folder
// this command made is removed again when the command fails before it finished writing, so
// neither empty folders nor half-written histories are left behind.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { UsageError } from "./usage.ts";

/** A path as the user would type it: relative to their working directory when it is inside it. */
export function shown(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside.startsWith("..") || isAbsolute(inside) ? path : inside || ".";
}

export function timestamp(): string {
  return new Date().toISOString().replaceAll(/[:.]/g, "-");
}

/**
 * The folder `requested` (relative to the working directory), or `wrh-out/<fallback>` there;
 * refused when it holds anything already.
 */
export function outputDir(requested: string | undefined, fallback: string): string {
  const out = resolve(requested ?? join("wrh-out", fallback));
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new UsageError(`--out ${shown(out)}: not a folder`);
    const entries = readdirSync(out);
    if (entries.length) {
      throw new UsageError(`--out ${shown(out)}: already holds ${entries.length} file(s) from an earlier run; name an empty or new folder`);
    }
  }
  return out;
}

/**
 * Runs `write` with `out` (checked by `outputDir`: new or empty) created; when `write` throws,
 * puts `out` back as it was: removed if this call created it, emptied otherwise.
 */
export async function writingInto<T>(out: string, write: () => Promise<T>): Promise<T> {
  const created = !existsSync(out);
  mkdirSync(out, { recursive: true });
  try {
    return await write();
  } catch (error) {
    if (created) rmSync(out, { recursive: true, force: true });
    else for (const entry of readdirSync(out)) rmSync(join(out, entry), { recursive: true, force: true });
    throw error;
  }
}
