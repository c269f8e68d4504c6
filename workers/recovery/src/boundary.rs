//! The Rust/JS boundary: where an export's panic stops and becomes a status for the host.

use crate::host;

/// What an export returns to the host shim. The values are part of the guest ABI.
#[repr(i32)]
pub enum Status {
    /// The body ran to completion; any response was already handed over with `respond`.
    Ok = 0,
    /// The body panicked and unwound (only in `panic=unwind` builds); the message was handed
    /// over with `panicked` and every destructor on the way out has run.
    Panicked = 1,
}

/// Runs one export body at the boundary and returns the [`Status`] as the export's result.
#[cfg(panic = "unwind")]
pub fn call(body: impl FnOnce()) -> i32 {
    // Silence the default hook: the host reports the panic, and on wasm32 stderr goes nowhere.
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| std::panic::set_hook(Box::new(|_| {})));

    // The boundary is where unwind safety is decided: the contract is that the instance stays
    // live after a panic, so state a body left half-updated is the body's own business.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(()) => Status::Ok as i32,
        Err(payload) => {
            host::panicked(payload_message(payload.as_ref()));
            Status::Panicked as i32
        }
    }
}

/// Runs one export body at the boundary and returns the [`Status`] as the export's result.
#[cfg(not(panic = "unwind"))]
pub fn call(body: impl FnOnce()) -> i32 {
    // A panic cannot be caught in this build, so the hook is the last chance to say why the
    // instance is about to trap.
    static REPORTING_HOOK: std::sync::Once = std::sync::Once::new();
    REPORTING_HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            host::panicked(info.payload_as_str().unwrap_or("panic with a non-string payload"))
        }))
    });
    body();
    Status::Ok as i32
}

#[cfg(panic = "unwind")]
fn payload_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "panic with a non-string payload"
    }
}
