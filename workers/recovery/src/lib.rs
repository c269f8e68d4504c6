//! Guest half of the reference recovery runtime.
//!
//! A Rust Worker runs every export body through [`call`], which is the one place where a
//! panic meets the Rust/JS boundary, and hands its response to the host with [`respond`].
//! What happens at that boundary depends on how the worker was built:
//!
//! - `panic=unwind`: the panic is caught here after destructors ran, its message goes to the
//!   host and the export returns [`Status::Panicked`]; the host throws a `PanicError` and the
//!   instance stays live.
//! - `panic=abort`: the panic hook sends the message to the host and the instance traps; the
//!   host decides what to do with a trapped instance.
//!
//! The host shim that pairs with this crate lives in `harness/shim/`.

mod boundary;
mod host;

pub use boundary::{Status, call};
pub use host::respond;
