//! The canary: the worker the harness drives, built on the `recovery` guest crate.
//!
//! Each `canary_*` export is one operation of the canary protocol; the host shim
//! (`harness/shim/worker.ts`) maps HTTP routes onto them and documents the routes. Synchronous
//! exports answer with `recovery::respond`; asynchronous ones take the task number the host
//! chose as their first argument and run on `recovery::spawn`.
//!
//! Every body is JSON. State that lives in linear memory (the `served` count, the objects, the
//! Durable Object counter, the buffers checked across awaits) is what lets a client tell a live
//! instance from a reset one and good data from wrong data.

mod counter;
mod faults;
mod integrity;
mod json;
mod notes;
mod reenter;
mod requests;

use json::json_string;
use std::sync::atomic::{AtomicU64, Ordering};

/// Destructors that ran, over the life of this instance: proves unwinding ran them.
static DROPS: AtomicU64 = AtomicU64::new(0);

/// A value whose destructor is counted.
struct Counted;

impl Drop for Counted {
    fn drop(&mut self) {
        DROPS.fetch_add(1, Ordering::Relaxed);
    }
}

fn drops() -> u64 {
    DROPS.load(Ordering::Relaxed)
}
