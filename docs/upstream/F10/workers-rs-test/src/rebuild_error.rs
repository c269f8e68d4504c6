//! A Durable Object whose constructor throws while worker-build's shim rebuilds it after a reset.
//! A constructor that throws at the object's first construction leaves the instance flagged for
//! a reset (the shim's `criticalError`); one that throws during the rebuild must too, or the
//! instance goes on with whatever the failed constructor left behind.
use std::sync::OnceLock;
use wasm_bindgen::prelude::*;
use worker::*;

use crate::SomeSharedData;

// On globalThis, so they survive a reset of the Wasm instance (the isolate stays).
#[wasm_bindgen(inline_js = "
export function rebuild_error_armed() { return globalThis.__rebuild_error_armed === true; }
export function set_rebuild_error_armed(armed) { globalThis.__rebuild_error_armed = armed; }
export function next_instance_number() { return (globalThis.__instance_number = (globalThis.__instance_number || 0) + 1); }
")]
extern "C" {
    fn rebuild_error_armed() -> bool;
    fn set_rebuild_error_armed(armed: bool);
    fn next_instance_number() -> u32;
}

/// This Wasm instance's number, taken the first time it is asked: a reset starts it again.
static INSTANCE: OnceLock<u32> = OnceLock::new();

#[durable_object]
pub struct RebuildError {
    _state: State,
}

impl DurableObject for RebuildError {
    fn new(state: State, _env: Env) -> Self {
        if rebuild_error_armed() {
            // What `unwrap_throw` and `expect_throw` do: a JS exception, not a panic.
            wasm_bindgen::throw_str("RebuildError: the constructor failed");
        }
        Self { _state: state }
    }

    async fn fetch(&self, _req: Request) -> Result<Response> {
        Response::ok("built")
    }
}

pub async fn handle_object(_req: Request, env: Env, _data: SomeSharedData) -> Result<Response> {
    let stub = env.durable_object("REBUILD_ERROR")?.id_from_name("rebuild-error")?.get_stub()?;
    stub.fetch_with_str("https://fake-host/").await
}

pub fn handle_arm(_req: Request, _env: Env, _data: SomeSharedData) -> Result<Response> {
    set_rebuild_error_armed(true);
    Response::ok("armed")
}

pub fn handle_disarm(_req: Request, _env: Env, _data: SomeSharedData) -> Result<Response> {
    set_rebuild_error_armed(false);
    Response::ok("disarmed")
}

pub fn handle_instance(_req: Request, _env: Env, _data: SomeSharedData) -> Result<Response> {
    Response::ok(INSTANCE.get_or_init(next_instance_number).to_string())
}
