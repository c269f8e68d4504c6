// The harness's own failure, as an error kind every command maps to exit 3 (harness/cli/commands.ts
// `exitCodeFor`): a workerd that never came up, a run that stalled. Never a verdict on the worker.
// Here, below the runner, so that what starts workerd can say so without loading the matrix.
export class HarnessError extends Error {
  override name = "HarnessError";
}
