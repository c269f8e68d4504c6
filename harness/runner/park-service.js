// The park service: where the real canary's parked requests wait (workers/real-canary/src/park.rs).
// A parked request sends a subrequest here and awaits its answer, as a real request awaits I/O;
// the service holds it open until the harness releases it. The holds live here, in a worker of
// the harness's own, not in the canary's linear memory: a reset of the canary's instance loses
// none of them, so the count of parked requests and the release stay right across it.
//
// Each canary worker parks in a scope of its own (its WRH_PARK_SCOPE, the isolate the harness
// names), so the handler's and the objects' worker of the split topology count and release apart.
//
//   /hold?scope=&id=&ms=     answers `released` at the release, or `expired` after ms
//   /parked?scope=           {"parked"}: holds open now
//   /release?scope=&count=   answers the `count` oldest holds: {"released", "ids"}
//
// Plain JavaScript: workerd runs it as it is.

/** scope → holds open there, oldest first. */
const scopes = new Map();
let nextKey = 1;

function holdsIn(scope) {
  let holds = scopes.get(scope);
  if (!holds) scopes.set(scope, (holds = new Map()));
  return holds;
}

/**
 * Holds the request open until `end` is called (by the release), its client goes away, or `ms`
 * pass. The timer also keeps workerd from cancelling it as hung: its answer waits on a promise
 * that only another request resolves, and workerd cancels a request that waits on nothing of its own.
 */
async function hold(holds, id, ms, signal) {
  const key = nextKey++;
  // Not `new Promise`: once optimized, inline-constructed promises lack workerd's context tag,
  // and the answer would be built in the releasing request's context ("Cannot perform I/O on
  // behalf of a different request"). The builtin tags it in every tier.
  const { promise, resolve } = Promise.withResolvers();
  const end = (answer) => {
    if (!holds.delete(key)) return;
    clearTimeout(timer);
    resolve(answer);
  };
  const timer = setTimeout(() => end("expired"), ms);
  holds.set(key, { id, end });
  // A parked request that workerd or the harness gave up on is no longer parked.
  signal.addEventListener("abort", () => end("gone"), { once: true });
  return new Response(await promise);
}

function release(holds, count) {
  const ids = [];
  for (const { id, end } of holds.values()) {
    if (ids.length >= count) break;
    ids.push(id);
    end("released");
  }
  return Response.json({ released: ids.length, ids });
}

export default {
  fetch(request) {
    const url = new URL(request.url);
    const query = url.searchParams;
    const holds = holdsIn(query.get("scope") ?? "");
    switch (url.pathname) {
      case "/hold": {
        const ms = Number(query.get("ms"));
        if (!(ms > 0)) return new Response("BadRequest: ms must be a positive number", { status: 400 });
        return hold(holds, query.get("id") ?? "", ms, request.signal);
      }
      case "/parked":
        return Response.json({ parked: holds.size });
      case "/release":
        return release(holds, query.has("count") ? Number(query.get("count")) : Number.POSITIVE_INFINITY);
      default:
        return new Response(`NotFound: no park service route ${url.pathname}`, { status: 404 });
    }
  },
};
