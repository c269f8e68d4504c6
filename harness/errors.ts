// The kinds of error a command can end with, and the exit code each gives every command
// (`exitCodeFor`): 1 the work failed (a compile error), 2 bad input or environment (what the user
// gave cannot be used: an option, a file, a profile, a toolchain), 3 the harness's own failure (a
// workerd that never came up, a run that stalled, a bug). A verdict on the worker is never an
// error: a broken guarantee is a result, and the command that judged it exits 1 by itself.
// A leaf: every folder may import it, and it imports nothing.

/** What the user gave cannot be used. Exit 2. */
export class InputError extends Error {
  override name = "InputError";
}

/** The work itself failed, e.g. a crate that does not compile. Exit 1. */
export class WorkFailedError extends Error {
  override name = "WorkFailedError";
}

/** The harness could not do its own part. Exit 3; never a verdict on the worker. */
export class HarnessError extends Error {
  override name = "HarnessError";
}

/** Node's errors for a path the user named that cannot be read: bad input, like any other. */
const PATH_ERRORS = new Set(["ENOENT", "ENOTDIR", "EISDIR", "EACCES", "EPERM"]);

export function exitCodeFor(error: unknown): 1 | 2 | 3 {
  if (error instanceof WorkFailedError) return 1;
  if (error instanceof InputError) return 2;
  // A file the user gave that is not JSON, or not there; an option node:util's parseArgs refused.
  if (error instanceof SyntaxError) return 2;
  if (error instanceof Error && ((error as NodeJS.ErrnoException).code ?? "").startsWith("ERR_PARSE_ARGS_")) return 2;
  if (error instanceof Error && PATH_ERRORS.has((error as NodeJS.ErrnoException).code ?? "")) return 2;
  return 3;
}
