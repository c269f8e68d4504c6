//! Abort machinery: the terminated flag, the `on_abort` hook and reinitialisation requests.
//!
//! The flag lives in linear memory so the host can set it (when it classifies an error leaving
//! the guest as an abort) and the guest can read it after every import returns. A reset gives
//! the guest fresh memory, so the flag starts at zero in every generation.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use crate::host;

static TERMINATED: AtomicU32 = AtomicU32::new(0);
static ON_ABORT: AtomicUsize = AtomicUsize::new(0);
static GENERATION: AtomicU32 = AtomicU32::new(0);
static MUTANTS: AtomicU32 = AtomicU32::new(0);

/// Test-only fault injection: the termination check after host imports is skipped.
const MUTANT_NO_TERMINATION_GUARD: u32 = 1;

/// True once the host has declared this instance aborted.
pub fn is_terminated() -> bool {
    TERMINATED.load(Ordering::Relaxed) != 0
}

/// The generation (1 for the first instance, +1 per reset) the host started this instance as.
pub fn generation() -> u32 {
    GENERATION.load(Ordering::Relaxed)
}

/// Installs `hook` to run once when this instance aborts; returns the previous hook. The
/// default, installed at start, asks for reinitialisation.
pub fn set_on_abort(hook: fn()) -> Option<fn()> {
    let previous = ON_ABORT.swap(hook as usize, Ordering::Relaxed);
    // SAFETY: only `fn()` values are ever stored, and 0 means none.
    (previous != 0).then(|| unsafe { std::mem::transmute::<usize, fn()>(previous) })
}

/// Asks the host to replace this instance with a fresh one before the next entry.
pub fn schedule_reinit() {
    host::schedule_reinit();
}

/// Traps if the instance was terminated while a host import ran. Called after every import,
/// on normal return and (through a drop guard) when the import unwinds.
pub(crate) fn check_after_import() {
    if is_terminated() && MUTANTS.load(Ordering::Relaxed) & MUTANT_NO_TERMINATION_GUARD == 0 {
        core::arch::wasm32::unreachable();
    }
}

/// Host → guest: the guest start function, run after every instantiation.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn wrh_start(generation: u32, mutants: u32) {
    GENERATION.store(generation, Ordering::Relaxed);
    MUTANTS.store(mutants, Ordering::Relaxed);
    set_on_abort(schedule_reinit);
    crate::boundary::install_panic_hook();
}

/// Host → guest: the address of the terminated flag (a u32 in linear memory).
#[unsafe(no_mangle)]
pub extern "C" fn wrh_terminated_flag() -> *const u32 {
    TERMINATED.as_ptr()
}

/// Host → guest: runs the `on_abort` hook. The host calls it once per abort, after setting the
/// flag, so a hook that calls an import stops right there (the check traps).
#[unsafe(no_mangle)]
pub extern "C-unwind" fn wrh_run_abort_hook() {
    let hook = ON_ABORT.load(Ordering::Relaxed);
    if hook != 0 {
        // SAFETY: see `set_on_abort`.
        unsafe { std::mem::transmute::<usize, fn()>(hook)() }
    }
}
