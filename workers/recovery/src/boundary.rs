//! The Rust/JS boundary for synchronous entry points.

use crate::host;

/// Hands the body of the current synchronous call's response to the host.
pub fn respond(body: &str) {
    host::respond(body);
}

/// Runs the body of a synchronous export.
///
/// Under panic=unwind a panic stops here with every destructor run; the export then leaves by
/// an exception the host turns into a `PanicError` whose message is the payload. Under
/// panic=abort nothing can stop a panic: the hook installed at start reports it, then the
/// instance traps.
pub fn export<R>(body: impl FnOnce() -> R) -> R {
    #[cfg(panic = "unwind")]
    {
        // Unwind safety is decided here: the contract keeps the instance live after a panic,
        // so state a body left half-updated stays the body's business.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
            Ok(value) => value,
            Err(payload) => host::throw_panic(&recovered_message(payload)),
        }
    }
    #[cfg(not(panic = "unwind"))]
    body()
}

/// The message of a panic that was caught, or an abort if catching it did not recover.
///
/// A panic in a destructor while unwinding should abort; on wasm32 rustc lets the second panic
/// reach `catch_unwind` instead, leaving std's panic count permanently raised
/// (`std::thread::panicking()` stays true). Such an instance is not recoverable, so it aborts.
#[cfg(panic = "unwind")]
pub(crate) fn recovered_message(payload: Box<dyn std::any::Any + Send>) -> String {
    let message = payload_message(payload);
    if std::thread::panicking() {
        host::panicked(&format!("panic while unwinding: {message}"));
        std::process::abort();
    }
    message
}

#[cfg(panic = "unwind")]
fn payload_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(s) => (*s).to_owned(),
            Err(_) => "panic with a non-string payload".to_owned(),
        },
    }
}

/// Run from `wrh_start`: under panic=unwind panics are reported at the boundary, so the hook is
/// silent; under panic=abort it is the only chance to say why the instance is about to trap.
pub(crate) fn install_panic_hook() {
    #[cfg(panic = "unwind")]
    std::panic::set_hook(Box::new(|info| {
        if crate::abort::mutant(crate::abort::MUTANT_PANIC_HOOK_TRAPS) {
            host::panicked(info.payload_as_str().unwrap_or("panic with a non-string payload"));
            core::arch::wasm32::unreachable();
        }
    }));
    #[cfg(not(panic = "unwind"))]
    std::panic::set_hook(Box::new(|info| {
        host::panicked(info.payload_as_str().unwrap_or("panic with a non-string payload"))
    }));
}
