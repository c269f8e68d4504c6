#!/usr/bin/env node
// wrh: the harness's command line. Exit codes: 0 success, 1 the work failed (e.g. a compile
// error, a broken guarantee), 2 bad input or environment (unknown option, missing toolchain),
// 3 a harness error (a run the harness itself could not complete).
import { exitCodeFor, main, say } from "./commands.ts";

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(exitCodeFor(error));
  },
);
