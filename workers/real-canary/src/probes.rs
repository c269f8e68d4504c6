//! What the harness can observe of the real runtime, and only that. Fields the real runtime
//! does not expose (how often wasm-bindgen's abort hook ran) are left out of the answer, so the
//! checkers report them as not observed instead of guessing.
use crate::json::Json;
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use worker::Env;

// Counts every Wasm instance created in this isolate, whichever part of the runtime creates it
// (the glue's first instantiation, wasm-bindgen's reset, worker-build's shim), by counting
// constructions of `WebAssembly.Instance`. The glue imports this snippet before it instantiates
// the module, so the count starts with the first instance; the constructor is only counted,
// never changed.
#[wasm_bindgen(inline_js = "
if (globalThis.__wrh_instances === undefined) {
  globalThis.__wrh_instances = 0;
  WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
    construct(target, args, newTarget) {
      globalThis.__wrh_instances++;
      return Reflect.construct(target, args, newTarget);
    },
  });
}
export function wrh_count_instance() {
  return globalThis.__wrh_instances;
}
export function wrh_init_state() {
  const state = globalThis.__worker_init_state;
  return state ? [state.instanceId, state.criticalError ? 1 : 0] : [-1, -1];
}
")]
extern "C" {
    fn wrh_count_instance() -> u32;
    fn wrh_init_state() -> Vec<i32>;
}

thread_local! {
    /// This instance's number; 0 until it is first read. Linear memory starts zeroed in
    /// every new instance, so a reset shows as a new number.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
}

/// The number of the Wasm instance running this code: 1 for the isolate's first instance, +1
/// for each later one, whether or not it ever served a request (a reset that is reset again
/// before its first request still counts). Counted by the canary itself, in a JS global that
/// outlives resets (the way workers-rs keeps `__worker_init_state`), because workers-rs's own
/// `instanceId` moves by 2 on a reset of its shim and by 1 on one of wasm-bindgen's.
pub fn generation() -> u32 {
    GENERATION.with(|g| {
        if g.get() == 0 {
            g.set(wrh_count_instance());
        }
        g.get()
    })
}

/// An address on the shadow stack, taken in a frame at the same depth on every call from the
/// same route: an unwind that leaks stack frames shows as a lower address.
#[inline(never)]
fn stack_address() -> u64 {
    let local = 0u8;
    core::hint::black_box(&local) as *const u8 as u64
}

fn memory_bytes() -> u64 {
    core::arch::wasm32::memory_size(0) as u64 * 65536
}

pub fn stats() -> Json {
    Json::new()
        .raw("served", &crate::SHARED.with(|s| s.try_borrow().map(|v| v.to_string()).unwrap_or_else(|_| "null".into())))
        .num("drops", crate::drops())
        .num("generation", generation().into())
        // The memory's own number: here the generation is one already (see `generation`).
        .num("instance", generation().into())
        .num("faults", crate::faults::entered_count())
        .boolean("lockPoisoned", crate::faults::lock_poisoned())
}

/// What the runtime looks like now; `parked` only when the park service answered (a worker
/// started without it has no parks to count).
pub async fn info(env: &Env) -> Json {
    let state = wrh_init_state();
    let info = Json::new()
        .str("runtime", "workers-rs")
        .num("generation", generation().into())
        .raw("instanceId", &state[0].to_string())
        .boolean("criticalError", state[1] == 1)
        .num("stackPointer", stack_address())
        .num("memoryBytes", memory_bytes())
        .num("heapBytes", crate::heap::live_bytes() as u64);
    match crate::park::parked(env).await {
        Ok(parked) => info.num("parked", parked),
        Err(_) => info,
    }
}
