//! Abort machinery: the terminated flag, the `on_abort` hook and reinitialisation requests.
//!
//! The flag lives in linear memory so the host can set it (when it classifies an error leaving
//! the guest as an abort) and the guest can read it after every import returns. A reset gives
//! the guest fresh memory, so the flag starts at zero in every generation.
//!
//! What only a fresh memory has is also what shows a reset really replaced the instance: the
//! memory's own number (taken at its first start) and its count of `on_abort` runs start over.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

use crate::host;

static TERMINATED: AtomicU32 = AtomicU32::new(0);
static ON_ABORT: AtomicUsize = AtomicUsize::new(0);
static GENERATION: AtomicU32 = AtomicU32::new(0);
static MUTANTS: AtomicU32 = AtomicU32::new(0);
/// This memory's own number: 0 until its first start takes one from the host. A memory is
/// started once unless a runtime restarts an instance instead of replacing it; then the old
/// number stays, whatever generation the host says it started.
static INSTANCE: AtomicU32 = AtomicU32::new(0);
/// How often the `on_abort` hook has run in this memory.
static ABORT_HOOK_RUNS: AtomicU32 = AtomicU32::new(0);
static PANIC_HOOK_INSTALLED: AtomicBool = AtomicBool::new(false);

/// Test-only fault injection (harness/protocol/constants.json): `MUTANT_NO_TERMINATION_GUARD`
/// skips the termination check after host imports; under panic=unwind,
/// `MUTANT_PANIC_HOOK_TRAPS` makes the panic hook report the panic and trap, so the panicking
/// frames never unwind (see `boundary::install_panic_hook`); `MUTANT_FUTURE_LEAK_ON_UNWIND`
/// keeps a task's future allocated after its poll unwound (see `executor::poll_task`).
#[cfg_attr(not(panic = "unwind"), allow(unused_imports))]
pub(crate) use crate::protocol::{MUTANT_FUTURE_LEAK_ON_UNWIND, MUTANT_NO_TERMINATION_GUARD, MUTANT_PANIC_HOOK_TRAPS};

/// Whether the host started this instance with test-only mutant `flag`.
pub(crate) fn mutant(flag: u32) -> bool {
    MUTANTS.load(Ordering::Relaxed) & flag != 0
}

/// True once the host has declared this instance aborted.
pub fn is_terminated() -> bool {
    TERMINATED.load(Ordering::Relaxed) != 0
}

/// The generation (1 for the first instance, +1 per reset) the host started this instance as.
pub fn generation() -> u32 {
    GENERATION.load(Ordering::Relaxed)
}

/// This memory's own number (see `INSTANCE`): it changes exactly when the memory is new.
pub fn instance() -> u32 {
    INSTANCE.load(Ordering::Relaxed)
}

/// Installs `hook` to run once when this instance aborts; returns the previous hook. The
/// default, installed at start, asks for reinitialisation.
pub fn set_on_abort(hook: fn()) -> Option<fn()> {
    let previous = ON_ABORT.swap(hook as usize, Ordering::Relaxed);
    // SAFETY: only `fn()` values are ever stored, and 0 means none.
    (previous != 0).then(|| unsafe { std::mem::transmute::<usize, fn()>(previous) })
}

/// Asks the host to replace this instance with a fresh one before the next entry. The request
/// carries this memory's number and how often the `on_abort` hook has run in it: the memory
/// goes with the reset, so its count has to leave with the request.
pub fn schedule_reinit() {
    host::schedule_reinit(instance(), ABORT_HOOK_RUNS.load(Ordering::Relaxed));
}

/// Traps if the instance was terminated while a host import ran. Called after every import,
/// on normal return and (through a drop guard) when the import unwinds.
pub(crate) fn check_after_import() {
    if is_terminated() && !mutant(MUTANT_NO_TERMINATION_GUARD) {
        core::arch::wasm32::unreachable();
    }
}

/// Host → guest: the guest start function, run after every instantiation.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn wrh_start(generation: u32, mutants: u32) {
    GENERATION.store(generation, Ordering::Relaxed);
    MUTANTS.store(mutants, Ordering::Relaxed);
    if INSTANCE.load(Ordering::Relaxed) == 0 {
        INSTANCE.store(host::instance_number(), Ordering::Relaxed);
    }
    set_on_abort(schedule_reinit);
    // Once per memory: std refuses to replace its hook while a panic is in progress, and a
    // panic=abort panic leaves one in progress for good. Only a memory started twice (a runtime
    // that restarts the instance instead of replacing it) gets here again, and it must get as
    // far as serving so that the harness, not a trap in this function, is what notices.
    if !PANIC_HOOK_INSTALLED.swap(true, Ordering::Relaxed) {
        crate::boundary::install_panic_hook();
    }
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
    ABORT_HOOK_RUNS.fetch_add(1, Ordering::Relaxed);
    let hook = ON_ABORT.load(Ordering::Relaxed);
    if hook != 0 {
        // SAFETY: see `set_on_abort`.
        unsafe { std::mem::transmute::<usize, fn()>(hook)() }
    }
}
