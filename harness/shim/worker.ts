// The canary Worker: the HTTP face of the canary protocol. Each route maps onto one canary
// export through the recovery runtime. Routes (all GET; `?` marks query parameters):
//
//   /ok                          succeed: {"served"}
//   /stats                       guest counters: {"served","drops","pendingDrops","generation","panicking",
//                                "instance","faults","lockPoisoned"} (served is null when the shared state is poisoned; panicking
//                                is std::thread::panicking(); instance is the memory's own number, faults the
//                                fault requests it began to run)
//   /echo?text=                  {"text","checksum"}: the argument as the guest read it
//   /sleep?ms=&seed=             sleep in Rust holding a buffer: {"seed","checksum","intact","released","served"}
//   /park?seed=&together=&bytes= park in Rust until released (same body; released=false after the park deadline),
//                                holding `bytes` of the buffer (at most, and by default, the protocol's bufferBytes);
//                                together=1 is accepted for the real canary's sake: here every park is woken by
//                                the one release, each resuming in its own poll
//   /resume?fault=&text=&n=      park like /park, then fault as it resumes: fault=panic|js-error
//   /panic?text=&n=              panic! (with the message "<text> <n>", formatted in Rust, when text is given)
//   /panic-after-await?ms=&text=&n=
//                                panic after an await
//   /abort                       `unreachable` while holding shared state
//   /oom                         allocate until linear memory is exhausted
//   /stack-overflow              recurse until the engine's stack is exhausted
//   /js-error?text=&n=           call a JS import that throws (Error("<text> <n>") when text is given); the
//                                error unwinds through Rust frames
//   /panic-in-drop               panic while unwinding (Rust turns it into an abort)
//   /panic-holding-lock?text=&n= panic while holding a std::sync::Mutex, which poisons it (stats: lockPoisoned)
//   /spin                        loop forever in Rust: hangs the whole workerd process (runner tests)
//   /reenter?depth=&at=&fault=&swallow=&seed=&text=&n=
//                                JS→Rust→JS… `depth` levels deep, with fault panic|abort|js-error|none at
//                                level `at` (its message "<text> <n>" when text is given); with swallow=1
//                                the JS between levels catches inner failures. Each level keeps a frame
//                                buffer derived from `seed` on the shadow stack across its inner call.
//                                Answers {"completed":[levels that ran to the end],"frames":{level:
//                                checksum of its buffer when it ended},"drops"}
//   /storm?count=&fault=         `count` calls of /panic or /js-error (fault=panic|js-error) inside this one
//                                request: {"count","classes":{class:n},"before","after"} with stack pointer,
//                                memory size and generation before and after
//   /object/new?text=            create a Rust object: {"id"}
//   /object/read?id=             {"text","checksum"}, or StaleObject if it is from an earlier generation
//   /object/free?id=
//   /do/<name>/increment         Durable Object counter <name>: {"memory","stored"} once the write is durable
//   /do/<name>/read|panic|abort|park    (panic takes text= and n= as /panic does)
//   /__harness/info              build, strategy, mutants and runtime state (never enters the guest)
//   /__harness/fresh             a new Wasm instance whatever the strategy (between runs under none): info
//   /__harness/parked            {"parked"}: requests parked in this isolate
//   /__harness/release?count=    release parked requests (all by default): {"released"}
//   /__harness/bench?op=&n=      n repetitions of op inside this request, for harness/bench:
//                                instantiate | raw-call | guarded-call | raw-async | guarded-async |
//                                recover-<fault> (fault then /ok, each time) | no-recover (/ok then /ok)
//
// Failures are 500s with a `wrh-error` header and a FailureBody (harness/protocol/recovery.ts).
//
// workers-rs test-worker layout: the routes of workers-rs's own test worker, so that a profile
// written for that worker runs against the canary. Failures answer as its `respond_with_errors`
// does: 500, text/plain `<ErrorClass>: <message>` (plus the `wrh-error` header); successes are text.
//
//   /test-panic, /test-abort,    the faults of /panic, /abort, /oom, /js-error
//   /test-oom, /test-js-error
//   /durable/<id>                increment object "A" whatever the id, as counter::handle_id does: of
//                                SHARED_COUNTER when the path contains "shared" (a panic when that is not
//                                bound, as its `expect` is), else of COUNTER:
//                                `[durable_object]: self.count: <stored × 10>, self.unstored_count: <memory>,
//                                secret value: <SOME_SECRET>` (workers-rs's count goes up by 10; without the
//                                SOME_SECRET secret, from `.dev.vars` in workers-rs's tests, it fails:
//                                "Binding `SOME_SECRET` is undefined.")
//   /durable/hello               `Hello from my-durable-object!` once the object "my-durable-object" of
//                                MY_CLASS (or COUNTER) has read its counter
import { type DurableObjectNamespace, type Env, runtimeFor } from "./environment.ts";
import { failure, ForwardedFailure, json, RequestError, respond, text, textFailure } from "./responses.ts";
import type { GuestRuntime, Handle } from "./runtime.ts";
import { saying } from "./fault-message.ts";
import { BUFFER_BYTES, REENTER_FAULTS } from "../protocol/constants.ts";
import type { FailureBody } from "../protocol/recovery.ts";

// workers-rs's test config binds its objects as COUNTER = "Counter" and MY_CLASS = "MyClass".
export { CanaryCounter, CanaryCounter as Counter, CanaryCounter as MyClass } from "./counter-object.ts";

/** What workers-rs's test worker reads from its env besides COUNTER. */
interface TestWorkerEnv extends Env {
  MY_CLASS?: DurableObjectNamespace;
  SHARED_COUNTER?: DurableObjectNamespace;
  SOME_SECRET?: string;
}

/** Faults that fail with a requested message. */
const SAYING = new Set(["/panic", "/js-error", "/panic-holding-lock"]);
const RESUME_FAULTS: Record<string, number> = { panic: 0, "js-error": 1 };

const SYNC_ROUTES: Record<string, string> = {
  "/ok": "canary_ok",
  "/stats": "canary_stats",
  "/panic": "canary_panic",
  "/abort": "canary_abort",
  "/oom": "canary_oom",
  "/stack-overflow": "canary_stack_overflow",
  "/js-error": "canary_js_error",
  "/panic-in-drop": "canary_panic_in_drop",
  "/panic-holding-lock": "canary_panic_holding_lock",
  "/spin": "canary_spin",
};


const TEST_WORKER_FAULTS = new Set(["/test-panic", "/test-abort", "/test-oom", "/test-js-error"]);

const STORM_FAULTS: Record<string, string> = { panic: "canary_panic", "js-error": "canary_js_error" };

/** Benchmark operations: the same work with and without the runtime's guarded entry. */
async function bench(runtime: GuestRuntime, url: URL): Promise<unknown> {
  const n = integer(url, "n");
  const op = url.searchParams.get("op");
  // Raw async calls still need task numbers the host never issued: far above any real one.
  const rawTask = (i: number) => [0x7000_0000 + i];
  switch (op) {
    case "instantiate": runtime.instantiations(n); break;
    case "raw-call": runtime.rawCalls("canary_ok", n); break;
    case "guarded-call": for (let i = 0; i < n; i++) runtime.call("canary_ok"); break;
    case "raw-async": runtime.rawCalls("canary_ready", n, rawTask); break;
    case "guarded-async": await Promise.all(Array.from({ length: n }, () => runtime.spawn("canary_ready"))); break;
    case "no-recover": for (let i = 0; i < n; i++) { runtime.call("canary_ok"); runtime.call("canary_ok"); } break;
    default: {
      const fault = op?.startsWith("recover-") ? SYNC_ROUTES[`/${op.slice("recover-".length)}`] : undefined;
      if (!fault) throw new RequestError(400, "op must be instantiate, raw-call, guarded-call, raw-async, guarded-async, no-recover or recover-<fault>");
      // Each fault, then the call that has to recover from it (a reset under reset strategies).
      for (let i = 0; i < n; i++) {
        try {
          runtime.call(fault);
        } catch {
          // The failure is the point; its cost is measured, not its outcome.
        }
        runtime.call("canary_ok");
      }
    }
  }
  return { op, n };
}

/** Many faulting calls in one request: drift in the stack pointer or memory shows up at once. */
function storm(runtime: GuestRuntime, url: URL): unknown {
  const exportName = STORM_FAULTS[url.searchParams.get("fault") ?? "panic"];
  if (!exportName) throw new RequestError(400, `fault must be one of ${Object.keys(STORM_FAULTS).join(", ")}`);
  const count = integer(url, "count", 1000);
  const snapshot = () => {
    const { stackPointer, memoryBytes, generation } = runtime.state();
    return { stackPointer, memoryBytes, generation };
  };
  runtime.call("canary_stats");
  const before = snapshot();
  const classes: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    try {
      runtime.call(exportName);
      classes.none = (classes.none ?? 0) + 1;
    } catch (error) {
      const name = error instanceof Error ? error.name : "unknown";
      classes[name] = (classes[name] ?? 0) + 1;
    }
  }
  return { count, classes, before, after: snapshot() };
}

/** Rust objects created through /object/new, by id. */
const objects = new Map<number, Handle>();
let nextObjectId = 1;

function integer(url: URL, name: string, fallback?: number): number {
  const text = url.searchParams.get(name);
  if (text === null && fallback !== undefined) return fallback;
  const value = Number(text);
  if (text === null || !Number.isSafeInteger(value) || value < 0) {
    throw new RequestError(400, `query parameter ${name} must be a non-negative integer`);
  }
  return value;
}

/** The `bytes` a park holds: the protocol's buffer size, or less when the request names it. */
function heldBytes(url: URL): number {
  const bytes = integer(url, "bytes", BUFFER_BYTES);
  if (bytes > BUFFER_BYTES) throw new RequestError(400, `query parameter bytes must be at most ${BUFFER_BYTES}`);
  return bytes;
}

function objectHandle(url: URL): [number, Handle] {
  const id = integer(url, "id");
  const handle = objects.get(id);
  if (!handle) throw new RequestError(404, `no object ${id}`);
  return [id, handle];
}

async function route(runtime: GuestRuntime, url: URL, request: Request, env: Env): Promise<Response> {
  const path = url.pathname;
  const ok = (body: string | undefined) => respond(200, body ?? "{}", runtime.generation);
  const syncExport = SYNC_ROUTES[path];
  if (syncExport) return ok(runtime.call(syncExport, SAYING.has(path) ? saying(url) : []).body);
  switch (path) {
    case "/echo":
      return ok(runtime.call("canary_echo", [url.searchParams.get("text") ?? ""]).body);
    case "/sleep":
      return ok(await runtime.spawn("canary_sleep", [integer(url, "ms", 0), integer(url, "seed", 1)]));
    case "/park":
      return ok(await runtime.spawn("canary_park", [integer(url, "seed", 1), heldBytes(url)]));
    case "/resume": {
      const fault = RESUME_FAULTS[url.searchParams.get("fault") ?? ""];
      if (fault === undefined) throw new RequestError(400, `fault must be one of ${Object.keys(RESUME_FAULTS).join(", ")}`);
      return ok(await runtime.spawn("canary_resume", [fault, ...saying(url)]));
    }
    case "/panic-after-await":
      return ok(await runtime.spawn("canary_panic_after_await", [integer(url, "ms", 1), ...saying(url)]));
    case "/reenter": {
      const fault = REENTER_FAULTS[url.searchParams.get("fault") ?? "none"];
      if (fault === undefined) throw new RequestError(400, `fault must be one of ${Object.keys(REENTER_FAULTS).join(", ")}`);
      const args = [integer(url, "depth", 3), integer(url, "at", 0), fault, integer(url, "swallow", 0), 1, integer(url, "seed", 0), ...saying(url)];
      return ok(runtime.call("canary_reenter", args).body);
    }
    case "/storm":
      return json(200, storm(runtime, url), runtime.generation);
    case "/object/new": {
      const { result } = runtime.call("canary_note_new", [url.searchParams.get("text") ?? ""]);
      const id = nextObjectId++;
      objects.set(id, runtime.handle(result as number));
      return json(200, { id }, runtime.generation);
    }
    case "/object/read":
      return ok(runtime.call("canary_note_read", [objectHandle(url)[1]]).body);
    case "/object/free": {
      const [id, handle] = objectHandle(url);
      objects.delete(id);
      runtime.call("canary_note_free", [handle]);
      return ok(undefined);
    }
    case "/__harness/fresh":
      runtime.replaceInstance();
      return info(runtime);
    case "/__harness/info":
      return info(runtime);
    case "/__harness/bench":
      return json(200, await bench(runtime, url), runtime.generation);
    case "/__harness/parked":
      return json(200, { parked: runtime.parking.size }, runtime.generation);
    case "/__harness/release":
      return json(200, { released: runtime.parking.release(integer(url, "count", Number.MAX_SAFE_INTEGER)) }, runtime.generation);
  }
  const counter = /^\/do\/([^/]+)\/[a-z-]+$/.exec(path);
  if (counter) {
    const namespace = counterNamespace(env);
    return namespace.get(namespace.idFromName(counter[1]!)).fetch(request);
  }
  throw new RequestError(404, `no route ${path}`);
}

function info(runtime: GuestRuntime): Response {
  return json(200, { ...WRH_BUILD, ...runtime.state() }, runtime.generation);
}

function counterNamespace(env: Env): DurableObjectNamespace {
  if (!env.COUNTER) throw new RequestError(404, "this worker has no COUNTER Durable Object binding");
  return env.COUNTER;
}

/** One operation on a counter object; a failure of the object's is this request's failure. */
async function counterOperation(namespace: DurableObjectNamespace, name: string, operation: "read" | "increment") {
  const response = await namespace.get(namespace.idFromName(name)).fetch(new Request(`http://counter/do/${name}/${operation}`));
  const body = await response.json();
  if (!response.ok) throw new ForwardedFailure(body as FailureBody);
  return body as { memory: number; stored: number };
}

function isTestWorkerRoute(path: string): boolean {
  return TEST_WORKER_FAULTS.has(path) || /^\/durable\/[^/]+$/.test(path);
}

async function testWorkerRoute(runtime: GuestRuntime, path: string, env: TestWorkerEnv): Promise<Response> {
  const ok = (body: string) => text(200, body, runtime.generation);
  if (TEST_WORKER_FAULTS.has(path)) return ok(runtime.call(SYNC_ROUTES[path.replace("/test-", "/")]!).body ?? "");
  if (path === "/durable/hello") {
    // Through the guest, as workers-rs's object runs Rust: a reset can fail this request too.
    await counterOperation(env.MY_CLASS ?? counterNamespace(env), "my-durable-object", "read");
    return ok("Hello from my-durable-object!");
  }
  // workers-rs's router reads meaning into the name: "shared" anywhere in the path picks another
  // binding, and `expect`s it, so an unbound one is a panic in the guest.
  let namespace = counterNamespace(env);
  if (path.includes("shared")) {
    if (!env.SHARED_COUNTER) return ok(runtime.call(SYNC_ROUTES["/panic"]!).body ?? "");
    namespace = env.SHARED_COUNTER;
  }
  const { memory, stored } = await counterOperation(namespace, "A", "increment");
  if (env.SOME_SECRET === undefined) throw new Error("Binding `SOME_SECRET` is undefined.");
  return ok(`[durable_object]: self.count: ${stored * 10}, self.unstored_count: ${memory}, secret value: ${env.SOME_SECRET}`);
}

export default {
  async fetch(request: Request, env: TestWorkerEnv): Promise<Response> {
    const url = new URL(request.url);
    const testWorker = isTestWorkerRoute(url.pathname);
    let runtime: GuestRuntime | undefined;
    try {
      runtime = runtimeFor(env);
      return await (testWorker ? testWorkerRoute(runtime, url.pathname, env) : route(runtime, url, request, env));
    } catch (error) {
      return (testWorker ? textFailure : failure)(error, runtime?.generation ?? 0);
    }
  },
};
