// The JavaScript side of park.rs.

const own = new Map();

// `Promise.withResolvers`, not `new Promise`: a promise built inline by optimized code lacks
// workerd's context tag, and its continuation would run in the releasing request's context.
export function wrh_own_promise(ticket) {
  const { promise, resolve } = Promise.withResolvers();
  own.set(ticket, resolve);
  return promise;
}

export function wrh_resolve_own(ticket) {
  own.get(ticket)?.();
  own.delete(ticket);
}

// A hold at the park service that nothing in Rust awaits: its answer enters no Wasm and wakes
// no task. Read to the end so the subrequest is done with, and never an unhandled rejection.
export function wrh_hold_unawaited(service, url) {
  service.fetch(url).then((answer) => answer.arrayBuffer()).catch(() => {});
}
