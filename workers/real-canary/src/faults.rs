//! The faults, each exactly what its name says and nothing more: no catch_unwind, no error
//! mapping. What the client sees is what workers-rs and wasm-bindgen make of them.
use crate::{DropCounter, hold_shared_and};
use wasm_bindgen::prelude::*;
use worker::{Response, Result};

#[wasm_bindgen(inline_js = "
export function wrh_throw(message) { throw new Error(message); }
")]
extern "C" {
    /// Not a `catch` import: the exception travels through the Rust frames that called it.
    pub fn wrh_throw(message: &str);
}

pub const PANIC_MESSAGE: &str = "wrh: intentional panic";
pub const JS_ERROR_MESSAGE: &str = "wrh: intentional JS error";

pub fn panic() -> Result<Response> {
    let _guard = DropCounter;
    panic!("{PANIC_MESSAGE}");
}

/// `unreachable` while the shared state is borrowed: an instance that is kept after this
/// fails every later request that touches the state.
pub fn abort() -> Result<Response> {
    hold_shared_and(|| core::arch::wasm32::unreachable())
}

/// Allocates until linear memory (capped at build time) is exhausted: a real allocation failure.
pub fn oom() -> Result<Response> {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut block = Vec::with_capacity(1024 * 1024);
        block.resize(1024 * 1024, 1u8);
        blocks.push(core::hint::black_box(block));
    }
}

#[inline(never)]
fn recurse(depth: u64) -> u64 {
    if depth == u64::MAX {
        return 0;
    }
    let frame = core::hint::black_box([depth; 64]);
    frame[(depth % 64) as usize] + recurse(core::hint::black_box(depth + 1))
}

/// Recurses until the engine's stack is exhausted (V8 reports a RangeError).
pub fn stack_overflow() -> Result<Response> {
    let total = recurse(0);
    Response::ok(total.to_string())
}

pub fn js_error() -> Result<Response> {
    let _guard = DropCounter;
    wrh_throw(JS_ERROR_MESSAGE);
    Response::ok("unreachable: the import threw")
}

struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("wrh: panic while unwinding");
    }
}

/// A panic while another unwinds: Rust aborts, whatever the panic strategy.
pub fn panic_in_drop() -> Result<Response> {
    let _bomb = PanicsOnDrop;
    panic!("{PANIC_MESSAGE}");
}
