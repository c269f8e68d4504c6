//! The canary: the worker the harness drives. Each export is one route of the canary
//! protocol; the host shim (`harness/shim/worker.ts`) maps URL paths onto them.
//!
//! Every response carries `served`, the number of requests this instance's linear memory has
//! seen, so a client can tell a live instance (the count keeps rising) from a fresh one.

use std::sync::atomic::{AtomicU64, Ordering};

static SERVED: AtomicU64 = AtomicU64::new(0);

fn count_request() -> u64 {
    SERVED.fetch_add(1, Ordering::Relaxed) + 1
}

/// `GET /ok`: succeeds.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_ok() -> i32 {
    recovery::call(|| {
        let served = count_request();
        recovery::respond(&format!("{{\"served\":{served}}}"));
    })
}

/// `GET /panic`: panics with a recognisable message.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_panic() -> i32 {
    recovery::call(|| {
        let served = count_request();
        panic!("canary panic on request {served}");
    })
}

/// `GET /abort`: executes `unreachable`, which no build can unwind from.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_abort() -> i32 {
    recovery::call(|| {
        count_request();
        core::arch::wasm32::unreachable()
    })
}
