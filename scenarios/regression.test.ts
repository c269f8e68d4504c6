// The regression suite: every catalog scenario under every strategy, both exception-handling
// encodings and both topologies of the reference builds, one vitest test per run, through the
// same vitest integration a user's spec file calls.
import { recoveryTests } from "../harness/vitest/recovery-tests.ts";

await recoveryTests({});
