// The error a request gets when its deadline passes. Apart from the runner (which loads
// Miniflare) so the engine can tell a timeout from other failures wherever it runs, inside
// workerd included (harness/shim/inside-workerd.ts).
export class DeadlineError extends Error {
  override name = "DeadlineError";
}
