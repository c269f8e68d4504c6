#!/usr/bin/env node
// wrh: the harness's command line. Exit codes: 0 success, 1 the work failed (e.g. a compile
// error, a broken guarantee), 2 bad input or environment (unknown option, missing toolchain),
// 3 a harness error (a run the harness itself could not complete).
import { exitCodeFor } from "../errors.ts";
import { main, say } from "./commands.ts";

/**
 * Resolves once everything written to `stream` before it has reached the OS. A pipe or socket
 * whose reader lags (a CPU-starved parent) takes only part of a long output at once; Node keeps
 * the rest queued, and `process.exit` would drop it: the tail of `wrh list` was lost that way.
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()));
}

// Exits explicitly once the output is out, rather than waiting for the event loop to empty:
// a handle left open by a dependency must not keep wrh running.
async function exit(code: number): Promise<void> {
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

// A reader that stops early (`wrh list | head`) closes the pipe: what is left to print has
// nowhere to go, and the command ends as it would have.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  say(`error: ${error instanceof Error ? error.message : String(error)}`);
  return exit(exitCodeFor(error));
});
