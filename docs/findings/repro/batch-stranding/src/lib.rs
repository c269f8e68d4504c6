//! One task of a tick that unwinds leaves the other tasks of that tick queued and unpolled.
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, Waker};
use wasm_bindgen::prelude::*;
use worker::wasm_bindgen_futures::{JsFuture, spawn_local};
use worker::*;

// The completion count lives on globalThis, so plain JS can read it without entering Wasm: an
// entry into Wasm that wakes any task re-runs the executor's queue and would hide the stranding.
#[wasm_bindgen(inline_js = "
export function reset() { globalThis.__done = 0; globalThis.__snapshot = null; }
export function bump() { globalThis.__done++; }
export function done() { return globalThis.__done ?? 0; }
export function throw_js(message) { throw new Error(message); }
export function done_after(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(globalThis.__done), ms));
}
export function snapshot_after(ms) {
  return new Promise((resolve) => setTimeout(() => resolve((globalThis.__snapshot = globalThis.__done)), ms));
}
export function snapshot() { return globalThis.__snapshot ?? -1; }
export function instance_id() { return globalThis.__worker_init_state?.instanceId ?? -1; }
")]
extern "C" {
    fn reset();
    fn bump();
    fn done() -> u32;
    /// Not a `catch` import: the exception goes through the Rust frames that called it.
    fn throw_js(message: &str);
    /// Resolves after `ms` with the completion count as it was when the timer fired, read in JS
    /// before the promise's reaction enters Wasm.
    fn done_after(ms: u32) -> js_sys::Promise;
    /// Like `done_after`, but stores the count for `/count` instead of handing it to Rust.
    fn snapshot_after(ms: u32) -> js_sys::Promise;
    fn snapshot() -> i32;
    /// worker's `__worker_init_state.instanceId`: it moves when the Wasm instance is reset.
    fn instance_id() -> i32;
}

/// Tasks that wait behind `Gate`.
const WAITERS: usize = 8;

thread_local! {
    static GATE_OPEN: Cell<bool> = const { Cell::new(false) };
    /// Registration order is wake order: the faulting task polls first, so it is first.
    static GATE_WAKERS: RefCell<Vec<Waker>> = const { RefCell::new(Vec::new()) };
}

/// A plain Rust gate: no JS involved, so opening it wakes the tasks and nothing else.
struct Gate;

impl Future for Gate {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        if GATE_OPEN.get() {
            return Poll::Ready(());
        }
        GATE_WAKERS.with_borrow_mut(|w| w.push(cx.waker().clone()));
        Poll::Pending
    }
}

fn open_gate() {
    GATE_OPEN.set(true);
    for waker in GATE_WAKERS.take() {
        waker.wake();
    }
}

/// Pending once, having re-queued itself: the tasks spawned before it get their first poll first.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Spawns one task that faults when the gate opens and `WAITERS` tasks that each count a
/// completion, lets them all register, opens the gate, then either waits 50 ms (`wait`) or
/// answers at once and leaves a snapshot of the count 1 s later behind for `/count`.
async fn batch(fault: String, wait: bool, ctx: &Context) -> Result<Response> {
    if !matches!(fault.as_str(), "none" | "panic" | "js-error") {
        return Response::error("fault must be none, panic or js-error", 400);
    }
    reset();
    GATE_OPEN.set(false);
    GATE_WAKERS.take();
    spawn_local(async move {
        Gate.await;
        match fault.as_str() {
            "panic" => panic!("spawned task panics after the gate opened"),
            "js-error" => throw_js("spawned task's JS import throws after the gate opened"),
            _ => {}
        }
    });
    for _ in 0..WAITERS {
        spawn_local(async {
            Gate.await;
            bump();
        });
    }
    YieldOnce(false).await;
    let registered = GATE_WAKERS.with_borrow(|w| w.len());
    open_gate();
    if !wait {
        // Handed to workerd, not awaited by Rust, so the timer survives the response (workerd
        // cancels a request's timers once it ends) and its settling never enters Wasm.
        ctx.as_ref().wait_until(&snapshot_after(1000))?;
        return Response::ok(format!(
            r#"{{"registered":{registered},"doneAtReturn":{},"instanceId":{}}}"#,
            done(),
            instance_id()
        ));
    }
    let at_50ms = JsFuture::from(done_after(50))
        .await?
        .as_f64()
        .unwrap_or(-1.0);
    Response::ok(format!(
        r#"{{"registered":{registered},"doneAt50ms":{at_50ms},"doneWhenHandlerResumed":{},"instanceId":{}}}"#,
        done(),
        instance_id()
    ))
}

#[event(fetch)]
pub async fn main(req: Request, _env: Env, ctx: Context) -> Result<Response> {
    let url = req.url()?;
    let query = |key: &str| {
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    match url.path() {
        "/" => Response::ok(format!(
            r#"{{"unwind":{},"instanceId":{}}}"#,
            cfg!(panic = "unwind"),
            instance_id()
        )),
        "/batch" => {
            batch(
                query("fault").unwrap_or_else(|| "none".into()),
                query("wait").as_deref() != Some("no"),
                &ctx,
            )
            .await
        }
        "/count" => Response::ok(format!(
            r#"{{"done":{},"doneAt1s":{},"instanceId":{}}}"#,
            done(),
            snapshot(),
            instance_id()
        )),
        _ => Response::error("not found", 404),
    }
}
