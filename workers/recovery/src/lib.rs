//! Guest half of the reference recovery runtime.
//!
//! A Rust Worker links this crate so its entry points cross the Rust/JS boundary the way the
//! recovery contract requires (docs/contract.md, "The recovery runtime"; every row is judged by the
//! catalog, `scenarios/README.md`). The host half is `harness/shim/runtime.ts`; together
//! they implement three strategies: `none`, `reset` (panic=abort builds) and `unwind`
//! (panic=unwind builds).
//!
//! - [`export`] runs a synchronous entry point. Under panic=unwind a panic stops there (after
//!   destructors ran) and leaves the export as a `PanicError` the host recognises; under
//!   panic=abort the panic hook tells the host why the instance is about to trap.
//! - [`spawn`] runs an asynchronous entry point on a small single-threaded executor driven by the
//!   host: a task awaits [`HostFuture`]s (sleep, park, storage) while its state stays in linear
//!   memory, and its result or panic is reported when it completes.
//! - [`abort`] holds the terminated flag, the `on_abort` hook and [`abort::schedule_reinit`].
//!   Every host import is followed by a check of the flag, so no Rust frame ever continues
//!   after an abort somewhere deeper in a re-entrant call.

pub mod abort;
mod boundary;
mod executor;
mod heap;
pub mod host;
mod memory;
#[path = "../../protocol.rs"]
mod protocol;

pub use boundary::{export, respond};
pub use executor::{HostError, HostFuture, park, sleep, spawn, storage_put};
pub use memory::take_string;
