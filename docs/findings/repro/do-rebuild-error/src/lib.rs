//! A Durable Object whose constructor fails only when worker-build's shim rebuilds it after a reset.
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use wasm_bindgen::prelude::*;
use worker::*;

// Everything here lives on globalThis, so it survives a reset of the Wasm instance (the isolate
// and its JS globals stay). The glue imports this snippet once, before the first instantiation.
//   __arm       how the next DO constructor run fails ("" = it does not);
//   __ctorRuns  DO constructor runs so far;
//   __events    a timeline of what happened in this isolate: requests reaching Rust (`-> /path`),
//               DO constructor runs and fetches, `WebAssembly.Instance` constructions (the first one
//               and every reset, whoever makes it), worker-build's shim announcing its own reset,
//               and every write to the shim's `criticalError` and `instanceId`. Those two live on
//               `__worker_init_state` (worker's init.rs puts the object on globalThis; the shim
//               reads it as `initState`): the snippet watches that object, whichever of the two
//               snippets runs first.
#[wasm_bindgen(inline_js = "
if (globalThis.__events === undefined) {
  const events = (globalThis.__events = []);
  globalThis.__arm = '';
  globalThis.__ctorRuns = 0;
  let instances = 0;
  WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
    construct(target, args, newTarget) {
      events.push(`new WebAssembly.Instance #${++instances}`);
      return Reflect.construct(target, args, newTarget);
    },
  });
  const log = console.log;
  console.log = (...args) => {
    if (args[0] === 'Reinitializing Wasm application') events.push('shim: Reinitializing Wasm application');
    return log.apply(console, args);
  };
  const watch = (state) => {
    for (const key of ['criticalError', 'instanceId']) {
      let value = state[key];
      Object.defineProperty(state, key, {
        get: () => value,
        set: (v) => { events.push(`${key}=${v}`); value = v; },
        enumerable: true,
      });
    }
    return state;
  };
  if (globalThis.__worker_init_state) watch(globalThis.__worker_init_state);
  else {
    let state;
    Object.defineProperty(globalThis, '__worker_init_state', { get: () => state, set: (v) => { state = watch(v); } });
  }
}
export function mark(what) { globalThis.__events.push(what); }
export function take_events() { return JSON.stringify(globalThis.__events.splice(0)); }
export function init_state() { return JSON.stringify(globalThis.__worker_init_state ?? null); }
export function arm() { return globalThis.__arm; }
export function set_arm(mode) { globalThis.__arm = mode; }
export function ctor_ran() { return ++globalThis.__ctorRuns; }
export function throw_js(message) { throw new Error(message); }
")]
extern "C" {
    fn mark(what: &str);
    fn take_events() -> String;
    fn init_state() -> String;
    fn arm() -> String;
    fn set_arm(mode: &str);
    fn ctor_ran() -> u32;
    fn throw_js(message: &str);
}

/// The system allocator, counting the bytes handed out and not yet returned (the live heap).
/// `realloc` and `alloc_zeroed` keep their default bodies, which go through these two.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size(), Relaxed);
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Where the Rust shadow stack (in linear memory) is: the address of a local that must live
/// there. Called from the same depth each time, so it moves only if the stack pointer does.
#[inline(never)]
fn stack_probe() -> usize {
    let local = core::hint::black_box(0u8);
    core::hint::black_box(&local as *const u8 as usize)
}

fn state_json() -> String {
    let stack = stack_probe();
    format!(
        r#"{{"initState":{},"arm":"{}","unwind":{},"liveHeapBytes":{},"stackProbe":{}}}"#,
        init_state(),
        arm(),
        cfg!(panic = "unwind"),
        LIVE.load(Relaxed),
        stack
    )
}

#[durable_object]
pub struct Probe {
    /// `__worker_init_state` when this object was constructed.
    built: String,
    /// Requests served by this Rust object (in Wasm memory: a rebuild starts again at 0).
    hits: AssertUnwindSafe<Cell<u32>>,
}

impl DurableObject for Probe {
    fn new(_state: State, _env: Env) -> Self {
        let run = ctor_ran();
        let armed = arm();
        mark(&format!("DO constructor run {run} (arm '{armed}')"));
        match armed.as_str() {
            "panic" => panic!("DO constructor armed to panic (run {run})"),
            "js" => throw_js(&format!("DO constructor armed to throw a JS error (run {run})")),
            "throw_str" => wasm_bindgen::throw_str(&format!("DO constructor armed to throw_str (run {run})")),
            _ => {}
        }
        Probe { built: init_state(), hits: AssertUnwindSafe(Cell::new(0)) }
    }

    async fn fetch(&self, _req: Request) -> Result<Response> {
        self.hits.set(self.hits.get() + 1);
        mark("DO fetch");
        Response::ok(format!(r#"{{"hits":{},"built":{}}}"#, self.hits.get(), self.built))
    }
}

fn query(req: &Request, key: &str) -> Result<String> {
    Ok(req.url()?.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned()).unwrap_or_default())
}

#[event(fetch)]
pub async fn main(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let url = req.url()?;
    mark(&format!("-> {}{}", url.path(), url.query().map(|q| format!("?{q}")).unwrap_or_default()));
    match url.path() {
        "/" | "/mark" => Response::ok(state_json()),
        "/events" => Response::ok(take_events()),
        "/arm" => {
            set_arm(&query(&req, "mode")?);
            Response::ok(state_json())
        }
        // Calls object `name` (a failed call is answered 502 with the error text).
        "/do" => {
            let stub = env.durable_object("PROBE")?.id_from_name(&query(&req, "name")?)?.get_stub()?;
            match stub.fetch_with_str("http://probe/").await {
                Ok(mut res) => Response::ok(res.text().await?),
                Err(e) => Response::error(format!("DO call failed: {e}"), 502),
            }
        }
        "/panic" => panic!("boom"),
        "/trap" => core::arch::wasm32::unreachable(),
        _ => Response::error("not found", 404),
    }
}
