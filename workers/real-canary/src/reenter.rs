//! JS→Rust→JS→Rust chains: each level calls a JS import that calls back into Rust through a
//! closure, `depth` levels deep, and level `at` faults. With `swallow` the JS between levels
//! catches what the inner level threw and returns normally, as careless JS glue does.
//!
//! Each level keeps a buffer derived from `seed` on the shadow stack across its inner call, then
//! does the stack work an inner call would do and reports the buffer's checksum, as the
//! reference canary does (workers/canary/src/reenter.rs): after a fault swallowed below it, an
//! outer level must find its frame as it left it.
use crate::faults::{self, Requested};
use crate::integrity::{FRAME_BYTES, checksum, frame_seed, pattern, stack_work};
use crate::json::Json;
use crate::{DropCounter, drops, number, query};
use std::cell::RefCell;
use std::hint::black_box;
use wasm_bindgen::prelude::*;
use worker::{Error, Result, Url};

#[wasm_bindgen(inline_js = "
export function wrh_descend(callback, level, swallow) {
  if (!swallow) return callback(level);
  try { return callback(level); } catch (e) { return -1; }
}
")]
extern "C" {
    fn wrh_descend(callback: &mut dyn FnMut(u32) -> i32, level: u32, swallow: bool) -> i32;
}

#[derive(Clone, Copy)]
enum Fault {
    None,
    Panic,
    Abort,
    JsError,
}

/// What every level of one chain shares.
struct Chain<'a> {
    depth: u32,
    at: u32,
    fault: Fault,
    swallow: bool,
    seed: u32,
    requested: &'a Option<Requested>,
}

thread_local! {
    /// Levels that ran to their end, innermost first, with their frame's checksum.
    static COMPLETED: RefCell<Vec<(u32, u32)>> = const { RefCell::new(Vec::new()) };
}

#[inline(never)]
fn level(k: u32, chain: &Chain) -> i32 {
    let _guard = DropCounter;
    let mut frame = [0u8; FRAME_BYTES];
    frame.copy_from_slice(&pattern(frame_seed(chain.seed, k), FRAME_BYTES));
    // In linear memory from here on: its address escapes.
    black_box(&mut frame);
    if k == chain.at {
        match (chain.fault, chain.requested) {
            (Fault::None, _) => {}
            (Fault::Panic, Some(Requested { text, n })) => panic!("{} {}", text, n),
            (Fault::Panic, None) => panic!("{}", faults::PANIC_MESSAGE),
            (Fault::Abort, _) => core::arch::wasm32::unreachable(),
            (Fault::JsError, Some(Requested { text, n })) => faults::wrh_throw(&format!("{text} {n}")),
            (Fault::JsError, None) => faults::wrh_throw(faults::JS_ERROR_MESSAGE),
        }
    }
    if k < chain.depth {
        let mut next = |level_number: u32| level(level_number, chain);
        wrh_descend(&mut next, k + 1, chain.swallow);
        stack_work();
    }
    let sum = checksum(black_box(&frame));
    COMPLETED.with(|c| c.borrow_mut().push((k, sum)));
    k as i32
}

pub fn run(url: &Url) -> Result<Json> {
    let fault = match query(url, "fault").as_deref().unwrap_or("none") {
        "none" => Fault::None,
        "panic" => Fault::Panic,
        "abort" => Fault::Abort,
        "js-error" => Fault::JsError,
        other => return Err(Error::RustError(format!("BadRequest: fault must be none, panic, abort or js-error, not {other}"))),
    };
    let requested = faults::requested(url)?;
    let chain = Chain {
        depth: number(url, "depth", 3)? as u32,
        at: number(url, "at", 0)? as u32,
        fault,
        swallow: number(url, "swallow", 0)? == 1,
        seed: number(url, "seed", 0)? as u32,
        requested: &requested,
    };
    COMPLETED.with(|c| c.borrow_mut().clear());
    if !matches!(fault, Fault::None) {
        faults::entered();
    }
    level(1, &chain);
    let (levels, frames) = COMPLETED.with(|c| {
        let completed = c.borrow();
        let levels = completed.iter().map(|(k, _)| k.to_string()).collect::<Vec<_>>().join(",");
        let frames = completed.iter().map(|(k, sum)| format!("\"{k}\":{sum}")).collect::<Vec<_>>().join(",");
        (levels, frames)
    });
    Ok(Json::new().raw("completed", &format!("[{levels}]")).raw("frames", &format!("{{{frames}}}")).num("drops", drops()))
}
