//! One fault must reset the Wasm instance once. After a panic, the first call into Wasm can be a
//! callback of the dead instance (here a sleeping request's timer) instead of the next fetch:
//! wasm-bindgen's call guard resets the instance there, and worker-build's shim, whose
//! `criticalError` is still set, resets it again on the next fetch.
use std::time::Duration;
use wasm_bindgen::prelude::*;
use worker::*;

use crate::SomeSharedData;

// On globalThis, so it survives a reset of the Wasm instance (the isolate stays).
#[wasm_bindgen(inline_js = "
export function count_start() { globalThis.__instance_starts = (globalThis.__instance_starts || 0) + 1; }
export function instance_starts() { return globalThis.__instance_starts || 0; }
")]
extern "C" {
    fn count_start();
    fn instance_starts() -> u32;
}

/// Runs once per Wasm instance: at the first instantiation and at every reset, whoever makes it.
#[event(start)]
pub fn count_instance_start() {
    count_start();
}

/// Sleeps on a timer of this instance.
pub async fn handle_sleep(_req: Request, _env: Env, _data: SomeSharedData) -> Result<Response> {
    Delay::from(Duration::from_millis(200)).await;
    Response::ok("slept")
}

pub fn handle_starts(_req: Request, _env: Env, _data: SomeSharedData) -> Result<Response> {
    Response::ok(instance_starts().to_string())
}
