//! A closure of a reset instance must not run in the new one. After a reinit is scheduled (what
//! workers-rs's abort hook does on a fault), the first call into Wasm resets the instance. When
//! that first call is an old instance's closure (a timer or a promise callback created before
//! the fault), the closure wrapper has already checked its instance, so the call goes on into the
//! new instance with the old instance's closure pointer.
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
    export function closure_ran() { globalThis.closure_ran = (globalThis.closure_ran || 0) + 1; }
")]
extern "C" {
    fn closure_ran();
}

/// A callback of this instance, as a timer or a promise would hold it.
#[wasm_bindgen]
pub fn make_callback() -> JsValue {
    Closure::<dyn FnMut()>::new(closure_ran).into_js_value()
}

/// What workers-rs's abort hook does when the instance faults.
#[wasm_bindgen]
pub fn schedule_reinit() {
    wasm_bindgen::handler::schedule_reinit();
}

#[wasm_bindgen]
pub fn add(a: u32, b: u32) -> u32 {
    a + b
}
