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
#[path = "../../protocol.rs"]
mod protocol;
mod reenter;
mod requests;

use json::json_string;
use std::sync::atomic::{AtomicU64, Ordering};

/// Destructors that ran, over the life of this instance: proves unwinding ran them.
static DROPS: AtomicU64 = AtomicU64::new(0);
/// Counted values made, over the life of this instance: minus DROPS, the destructors still owed.
static CREATED: AtomicU64 = AtomicU64::new(0);

/// Fault requests this instance began to execute: every fault export counts itself first, so a
/// request the runtime ran twice counts twice (`/stats`: `faults`).
static FAULTS: AtomicU64 = AtomicU64::new(0);

fn fault_entered() {
    FAULTS.fetch_add(1, Ordering::Relaxed);
}

fn faults_entered() -> u64 {
    FAULTS.load(Ordering::Relaxed)
}

/// A value whose destructor is counted (`Counted::new()`, so the values made are counted too).
struct Counted(());

impl Counted {
    fn new() -> Self {
        CREATED.fetch_add(1, Ordering::Relaxed);
        Counted(())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        DROPS.fetch_add(1, Ordering::Relaxed);
    }
}

fn drops() -> u64 {
    DROPS.load(Ordering::Relaxed)
}

/// Counted values whose destructor has not run. At rest (no request inside the guest) it is
/// zero in an instance where every fault unwound: a frame left without unwinding leaks its value.
fn pending_drops() -> u64 {
    CREATED.load(Ordering::Relaxed) - DROPS.load(Ordering::Relaxed)
}

/// The text a fault request asked to fail with (`?text=`), or None when the host passed a null
/// pointer (the request named none). The message is formatted from it at run time, as
/// `"{text} {n}"`, so the harness knows exactly what the caller must receive
/// (`harness/protocol/integrity.ts`, `faultMessage`).
///
/// # Safety
/// `ptr`/`len` are null, or an argument the host allocated with `wrh_alloc`.
unsafe fn requested(ptr: *mut u8, len: usize) -> Option<String> {
    (!ptr.is_null()).then(|| unsafe { recovery::take_string(ptr, len) })
}
