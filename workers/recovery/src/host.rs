//! The functions the host shim provides (`wrh_host`, in `harness/shim/runtime.ts`), each wrapped so that the
//! terminated flag is checked when it returns, normally or by exception.
//!
//! Imports that run arbitrary JavaScript are `C-unwind`: a JS exception may come back through
//! them and unwind Rust frames (running destructors) on its way to the export boundary.

use crate::abort::check_after_import;

#[link(wasm_import_module = "wrh_host")]
unsafe extern "C-unwind" {
    #[link_name = "respond"]
    fn raw_respond(ptr: *const u8, len: usize);
    #[link_name = "panicked"]
    fn raw_panicked(ptr: *const u8, len: usize);
    #[cfg(panic = "unwind")]
    #[link_name = "throw_panic"]
    fn raw_throw_panic(ptr: *const u8, len: usize);
    #[link_name = "task_done"]
    fn raw_task_done(task: u32, ptr: *const u8, len: usize);
    #[cfg(panic = "unwind")]
    #[link_name = "task_panicked"]
    fn raw_task_panicked(task: u32, ptr: *const u8, len: usize);
    #[link_name = "schedule_reinit"]
    fn raw_schedule_reinit(instance: u32, abort_hook_runs: u32);
    #[link_name = "instance_number"]
    fn raw_instance_number() -> u32;
    #[link_name = "sleep"]
    fn raw_sleep(task: u32, ms: u32) -> u32;
    #[link_name = "park"]
    fn raw_park(task: u32) -> u32;
    #[link_name = "stale_continuation"]
    fn raw_stale_continuation(task: u32);
    #[link_name = "storage_put"]
    fn raw_storage_put(task: u32, key_ptr: *const u8, key_len: usize, value: f64) -> u32;
}

/// Runs the termination check when dropped: on return, and while unwinding from an import.
struct AfterImport;

impl Drop for AfterImport {
    fn drop(&mut self) {
        check_after_import();
    }
}

/// Calls an import with the termination check on every way back into Rust.
#[inline(always)]
pub fn guarded<R>(import: impl FnOnce() -> R) -> R {
    let _check = AfterImport;
    import()
}

pub(crate) fn respond(body: &str) {
    // SAFETY (all imports): the host copies what it reads from linear memory before returning.
    guarded(|| unsafe { raw_respond(body.as_ptr(), body.len()) })
}

/// Tells the host why the instance is about to trap.
pub(crate) fn panicked(message: &str) {
    guarded(|| unsafe { raw_panicked(message.as_ptr(), message.len()) })
}

#[cfg(panic = "unwind")]
/// Leaves the current export with a PanicError carrying `message`: the host throws it as an
/// exception tagged as recoverable, which unwinds every frame up to the export's caller.
pub(crate) fn throw_panic(message: &str) -> ! {
    guarded(|| unsafe { raw_throw_panic(message.as_ptr(), message.len()) });
    unreachable!("the host's throw_panic returned")
}

pub(crate) fn task_done(task: u32, body: &str) {
    guarded(|| unsafe { raw_task_done(task, body.as_ptr(), body.len()) })
}

#[cfg(panic = "unwind")]
pub(crate) fn task_panicked(task: u32, message: &str) {
    guarded(|| unsafe { raw_task_panicked(task, message.as_ptr(), message.len()) })
}

pub(crate) fn schedule_reinit(instance: u32, abort_hook_runs: u32) {
    guarded(|| unsafe { raw_schedule_reinit(instance, abort_hook_runs) })
}

/// A number for this memory, distinct from every other memory's in this isolate.
pub(crate) fn instance_number() -> u32 {
    guarded(|| unsafe { raw_instance_number() })
}

pub(crate) fn sleep(task: u32, ms: u32) -> u32 {
    guarded(|| unsafe { raw_sleep(task, ms) })
}

pub(crate) fn park(task: u32) -> u32 {
    guarded(|| unsafe { raw_park(task) })
}

pub(crate) fn storage_put(task: u32, key: &str, value: f64) -> u32 {
    guarded(|| unsafe { raw_storage_put(task, key.as_ptr(), key.len(), value) })
}

/// Refuses a continuation that reached this instance from another generation.
pub(crate) fn stale_continuation(task: u32) {
    guarded(|| unsafe { raw_stale_continuation(task) })
}
