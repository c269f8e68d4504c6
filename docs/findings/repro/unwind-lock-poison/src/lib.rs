//! A `std::sync::Mutex` poisoned by a panic while it is held: does it stay poisoned?
use std::sync::{Mutex, PoisonError};
use worker::*;

/// Requests served through the lock since this Wasm instance started (a reset zeroes it).
static LOCK: Mutex<u64> = Mutex::new(0);

/// `value` is what the route read through the lock (`None`: it did not lock).
fn state(route: &str, value: Option<u64>) -> Result<Response> {
    let value = value.map_or("null".to_string(), |v| v.to_string());
    Response::ok(format!(
        r#"{{"route":"{route}","value":{value},"poisoned":{},"unwind":{}}}"#,
        LOCK.is_poisoned(),
        cfg!(panic = "unwind")
    ))
}

#[event(fetch)]
pub async fn main(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    match req.path().as_str() {
        // The idiomatic access: a poisoned lock is treated as a bug and panics.
        "/use" => {
            let mut guard = LOCK.lock().unwrap();
            *guard += 1;
            let value = *guard;
            drop(guard);
            state("/use", Some(value))
        }
        "/poison" => {
            let mut guard = LOCK.lock().unwrap_or_else(PoisonError::into_inner);
            *guard += 1;
            panic!("panicking while holding LOCK (value {})", *guard);
        }
        // Reports without locking.
        "/peek" => state("/peek", None),
        // Program-level handling for unwind builds: take the data despite the poison (the
        // program decides it is still consistent) and clear the flag for everyone else.
        "/use-healed" => {
            let mut guard = LOCK.lock().unwrap_or_else(|poisoned| {
                LOCK.clear_poison();
                poisoned.into_inner()
            });
            *guard += 1;
            let value = *guard;
            drop(guard);
            state("/use-healed", Some(value))
        }
        _ => Response::error("not found", 404),
    }
}
