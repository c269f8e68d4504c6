//! The faults, each exactly what its name says and nothing more: no catch_unwind, no error
//! mapping. What the client sees is what workers-rs and wasm-bindgen make of them.
use crate::{DropCounter, hold_shared_and};
use std::cell::Cell;
use std::sync::{Mutex, PoisonError};
use wasm_bindgen::prelude::*;
use worker::{Response, Result};

thread_local! {
    /// Fault requests this instance began to execute: a request the runtime ran twice counts twice.
    static ENTERED: Cell<u64> = const { Cell::new(0) };
}

/// Counts one fault request; every fault calls it first.
pub fn entered() {
    ENTERED.with(|e| e.set(e.get() + 1));
}

pub fn entered_count() -> u64 {
    ENTERED.with(Cell::get)
}

#[wasm_bindgen(inline_js = "
export function wrh_throw(message) { throw new Error(message); }
")]
extern "C" {
    /// Not a `catch` import: the exception travels through the Rust frames that called it.
    pub fn wrh_throw(message: &str);
}

pub use crate::protocol::{JS_ERROR_MESSAGE, PANIC_MESSAGE};

/// The message a fault request names (`?text=&n=`): the harness expects `"{text} {n}"`
/// (harness/protocol/integrity.ts, `faultMessage`), formatted here at run time.
pub struct Requested {
    pub text: String,
    pub n: u64,
}

pub fn requested(url: &worker::Url) -> Result<Option<Requested>> {
    match crate::query(url, "text") {
        None => Ok(None),
        Some(text) => Ok(Some(Requested { text, n: crate::number(url, "n", 0)? })),
    }
}

/// A lock only `/panic-holding-lock` takes and `/stats` inspects: a panic while it is held
/// poisons it, and under unwind nothing ever clears that (research H6).
static LOCK: Mutex<u64> = Mutex::new(0);

pub fn lock_poisoned() -> bool {
    LOCK.is_poisoned()
}

pub fn panic_holding_lock(requested: Option<Requested>) -> Result<Response> {
    let mut held = LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    *held += 1;
    panic(requested)
}

pub fn panic(requested: Option<Requested>) -> Result<Response> {
    entered();
    let _guard = DropCounter;
    match requested {
        Some(Requested { text, n }) => panic!("{} {}", text, n),
        None => panic!("{PANIC_MESSAGE}"),
    }
}

/// `unreachable` while the shared state is borrowed: an instance that is kept after this
/// fails every later request that touches the state.
pub fn abort() -> Result<Response> {
    entered();
    hold_shared_and(|| core::arch::wasm32::unreachable())
}

/// Allocates until linear memory (capped at build time) is exhausted: a real allocation failure.
pub fn oom() -> Result<Response> {
    entered();
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
    entered();
    let total = recurse(0);
    Response::ok(total.to_string())
}

pub fn js_error(requested: Option<Requested>) -> Result<Response> {
    entered();
    let _guard = DropCounter;
    match requested {
        Some(Requested { text, n }) => wrh_throw(&format!("{text} {n}")),
        None => wrh_throw(JS_ERROR_MESSAGE),
    }
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
    entered();
    let _bomb = PanicsOnDrop;
    panic!("{PANIC_MESSAGE}");
}
