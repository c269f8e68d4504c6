//! JS→Rust→JS→Rust chains: each level calls a JS import that calls back into Rust through a
//! closure, `depth` levels deep, and level `at` faults. With `swallow` the JS between levels
//! catches what the inner level threw and returns normally, as careless JS glue does.
use crate::json::Json;
use crate::{DropCounter, drops, faults, number, query};
use std::cell::RefCell;
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

thread_local! {
    static COMPLETED: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

fn level(k: u32, depth: u32, at: u32, fault: Fault, swallow: bool) -> i32 {
    let _guard = DropCounter;
    if k == at {
        match fault {
            Fault::None => {}
            Fault::Panic => panic!("{}", faults::PANIC_MESSAGE),
            Fault::Abort => core::arch::wasm32::unreachable(),
            Fault::JsError => faults::wrh_throw(faults::JS_ERROR_MESSAGE),
        }
    }
    if k < depth {
        let mut next = |level_number: u32| level(level_number, depth, at, fault, swallow);
        wrh_descend(&mut next, k + 1, swallow);
    }
    COMPLETED.with(|c| c.borrow_mut().push(k));
    k as i32
}

pub fn run(url: &Url) -> Result<Json> {
    let depth = number(url, "depth", 3)? as u32;
    let at = number(url, "at", 0)? as u32;
    let swallow = number(url, "swallow", 0)? == 1;
    let fault = match query(url, "fault").as_deref().unwrap_or("none") {
        "none" => Fault::None,
        "panic" => Fault::Panic,
        "abort" => Fault::Abort,
        "js-error" => Fault::JsError,
        other => return Err(Error::RustError(format!("BadRequest: fault must be none, panic, abort or js-error, not {other}"))),
    };
    COMPLETED.with(|c| c.borrow_mut().clear());
    level(1, depth, at, fault, swallow);
    let completed = COMPLETED.with(|c| c.borrow().iter().map(u32::to_string).collect::<Vec<_>>().join(","));
    Ok(Json::new().raw("completed", &format!("[{completed}]")).num("drops", drops()))
}
