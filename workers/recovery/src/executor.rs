//! A single-threaded executor driven by the host.
//!
//! Each task is one asynchronous entry point, identified by a number the host chose. A task
//! waits only on [`HostFuture`]s: the host starts the operation (a timer, a park barrier, a
//! storage write), and when its promise settles calls `wrh_poll(task, handle, …)`, which
//! records the result and polls that task once. No wakers are needed: the host knows which
//! task each handle belongs to.
//!
//! A handle carries the generation it was issued in (its top 12 bits hold the generation
//! modulo 4096), so a continuation meant for a dead instance is refused, never resumed here.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use crate::host;

type Task = Pin<Box<dyn Future<Output = String>>>;

thread_local! {
    static TASKS: RefCell<HashMap<u32, Task>> = RefCell::new(HashMap::new());
    static SETTLED: RefCell<HashMap<u32, (u32, f64)>> = RefCell::new(HashMap::new());
    static CURRENT_TASK: Cell<Option<u32>> = const { Cell::new(None) };
}

/// Starts task `task` (a number chosen by the host) and polls it once. Its response body, or
/// under panic=unwind its panic, is reported to the host when it completes.
pub fn spawn(task: u32, future: impl Future<Output = String> + 'static) {
    TASKS.with(|tasks| tasks.borrow_mut().insert(task, Box::pin(future)));
    poll_task(task);
}

fn poll_task(task: u32) {
    // The task is taken out while it runs, so a re-entrant call can spawn or poll others.
    let Some(mut future) = TASKS.with(|tasks| tasks.borrow_mut().remove(&task)) else {
        // A continuation for a task this instance never had: nothing to resume.
        return;
    };
    let _restore = CurrentTask(CURRENT_TASK.with(|current| current.replace(Some(task))));
    let mut context = Context::from_waker(Waker::noop());
    #[cfg(panic = "unwind")]
    let polled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| future.as_mut().poll(&mut context)));
    #[cfg(not(panic = "unwind"))]
    let polled: Result<_, ()> = Ok(future.as_mut().poll(&mut context));
    match polled {
        Ok(Poll::Ready(body)) => host::task_done(task, &body),
        Ok(Poll::Pending) => {
            TASKS.with(|tasks| tasks.borrow_mut().insert(task, future));
        }
        #[cfg(panic = "unwind")]
        Err(payload) => {
            if crate::abort::mutant(crate::abort::MUTANT_FUTURE_LEAK_ON_UNWIND) {
                std::mem::forget(future);
            } else {
                drop(future);
            }
            host::task_panicked(task, &crate::boundary::recovered_message(payload));
        }
        #[cfg(not(panic = "unwind"))]
        Err(()) => unreachable!(),
    }
}

/// Restores the enclosing task when dropped, including when a JS exception unwinds a poll.
struct CurrentTask(Option<u32>);

impl Drop for CurrentTask {
    fn drop(&mut self) {
        CURRENT_TASK.with(|current| current.set(self.0));
    }
}

fn current_task() -> u32 {
    CURRENT_TASK.with(Cell::get).expect("host futures can only be awaited inside a spawned task")
}

/// An operation the host performs for the current task; resolves when its promise settles.
pub struct HostFuture {
    handle: u32,
}

/// A host operation failed; `code` says how (host-defined, e.g. 1 = rejected, 2 = timed out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostError {
    pub code: u32,
}

impl Future for HostFuture {
    type Output = Result<f64, HostError>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        match SETTLED.with(|settled| settled.borrow_mut().remove(&self.handle)) {
            None => Poll::Pending,
            Some((0, value)) => Poll::Ready(Ok(value)),
            Some((code, _)) => Poll::Ready(Err(HostError { code })),
        }
    }
}

/// Resolves after `ms` milliseconds.
pub fn sleep(ms: u32) -> HostFuture {
    HostFuture { handle: host::sleep(current_task(), ms) }
}

/// Resolves when the harness releases parked requests (or fails when the park deadline passes).
pub fn park() -> HostFuture {
    HostFuture { handle: host::park(current_task()) }
}

/// Durable Object storage: writes `value` under `key`; resolves when the write is durable.
pub fn storage_put(key: &str, value: f64) -> HostFuture {
    HostFuture { handle: host::storage_put(current_task(), key, value) }
}

const HANDLE_GENERATION_SHIFT: u32 = 20;
const HANDLE_GENERATION_MASK: u32 = 0xfff;

fn issued_in_this_generation(handle: u32) -> bool {
    handle >> HANDLE_GENERATION_SHIFT == crate::abort::generation() & HANDLE_GENERATION_MASK
}

/// Host → guest: host operation `handle` of task `task` settled with `status` (0 = ok) and
/// `value`; resumes the task.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn wrh_poll(task: u32, handle: u32, status: u32, value: f64) {
    if !issued_in_this_generation(handle) {
        host::stale_continuation(task);
        return;
    }
    SETTLED.with(|settled| settled.borrow_mut().insert(handle, (status, value)));
    poll_task(task);
}
