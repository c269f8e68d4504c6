//! Benchmark operations for harness/bench (`/__harness/bench?op=&n=`): n repetitions inside one
//! request, so the harness can subtract a request that does 0. (A raw instantiation of this
//! module is measured by harness/bench/instantiate-worker.ts: `wasm_bindgen::module()` is not
//! available to the `--no-panic-recovery` build's bundler target.)
//!
//! - `raw-call`: the `#[no_mangle]` export `wrh_bench_call`, taken from the instance's exports
//!   (`wasm_bindgen::exports()`): no glue between the caller and the function;
//! - `guarded-call`: the same function behind a `#[wasm_bindgen]` method, called as JS calls any
//!   exported struct's method: through the generated wrapper (stale-object check, the
//!   terminated-instance guard, try/catch).
use crate::json::Json;
use std::sync::atomic::{AtomicU32, Ordering};
use wasm_bindgen::prelude::*;
use worker::{Error, Result, Url};

static CALLS: AtomicU32 = AtomicU32::new(0);

/// The function both call paths reach: next to nothing, so what is measured is the path.
#[inline(never)]
fn work() -> u32 {
    CALLS.fetch_add(1, Ordering::Relaxed) + 1
}

#[unsafe(no_mangle)]
pub extern "C" fn wrh_bench_call() -> u32 {
    work()
}

#[wasm_bindgen]
pub struct BenchTarget {
    _private: u8,
}

#[wasm_bindgen]
impl BenchTarget {
    pub fn call(&self) -> u32 {
        work()
    }
}

#[wasm_bindgen(inline_js = "
export function wrh_bench_run(op, n, target, exports) {
  switch (op) {
    case 'raw-call': {
      const call = exports.wrh_bench_call;
      for (let i = 0; i < n; i++) call();
      return;
    }
    case 'guarded-call':
      for (let i = 0; i < n; i++) target.call();
      return;
  }
  throw new Error(`BadRequest: op must be raw-call or guarded-call, not ${op}`);
}
")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn wrh_bench_run(op: &str, n: u32, target: JsValue, exports: JsValue) -> std::result::Result<(), JsValue>;
}

pub fn run(url: &Url) -> Result<Json> {
    let op = crate::query(url, "op").unwrap_or_default();
    let n = crate::number(url, "n", 0)? as u32;
    let target = JsValue::from(BenchTarget { _private: 0 });
    wrh_bench_run(&op, n, target, wasm_bindgen::exports())
        .map_err(|error| Error::RustError(String::from(js_sys::Error::from(error).message())))?;
    Ok(Json::new().str("op", &op).num("n", n.into()))
}
