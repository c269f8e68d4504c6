// The errors the host raises for a failed guest call. Their `name` is the error class the
// harness sees in a failed response (`wrh-error` header and JSON body), so names are API.

/** A Rust panic that unwound to the boundary; the instance is still live. */
export class PanicError extends Error {
  override name = "PanicError";
}

/** The guest trapped (unreachable, out of bounds, …): nothing unwound, the instance's state is suspect. */
export class Abort extends Error {
  override name = "Abort";
}
