//! The park barrier: a request waits inside Rust, holding a buffer in linear memory, until the
//! harness releases it. It wakes on its own timer (workers-rs's `Delay`), never from another
//! request, so each continuation enters Wasm the way a real sibling's does: through a closure
//! of the instance it started in.
//!
//! A park `together` is woken by the release itself, through its task's waker, as one request
//! wakes the waiters of another in a real worker (a shared cache fill, a channel): the release
//! wakes them all, oldest first, so wasm-bindgen's executor polls them in one batch, in the
//! releasing request's context. A response made there fails in workerd ("Cannot perform I/O on
//! behalf of a different request"), so once polled a parked request goes on to await a promise
//! of its own, created when it parked and resolved by the release, whose continuation workerd
//! runs back in its own context. A task the batch never polls never gets there. Its timer is
//! only the park's deadline: workerd cancels a request that waits on nothing of its own.
use crate::integrity::{BUFFER_BYTES, checksum, pattern};
use crate::json::Json;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use wasm_bindgen::prelude::*;
use worker::wasm_bindgen_futures::JsFuture;
use worker::{Delay, Env, js_sys::Promise};

// `Promise.withResolvers`, not `new Promise`: a promise built inline by optimized code lacks
// workerd's context tag, and its continuation would run in the releasing request's context.
#[wasm_bindgen(inline_js = "
const own = new Map();
export function wrh_own_promise(ticket) {
  const { promise, resolve } = Promise.withResolvers();
  own.set(ticket, resolve);
  return promise;
}
export function wrh_resolve_own(ticket) {
  own.get(ticket)?.();
  own.delete(ticket);
}
")]
extern "C" {
    fn wrh_own_promise(ticket: f64) -> Promise;
    fn wrh_resolve_own(ticket: f64);
}

const POLL: Duration = Duration::from_millis(5);
const DEFAULT_PARK_TIMEOUT_MS: u64 = 30_000;

thread_local! {
    static NEXT_TICKET: Cell<u64> = const { Cell::new(1) };
    static PARKED: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
    static RELEASED: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
    static WAKERS: RefCell<BTreeMap<u64, Waker>> = const { RefCell::new(BTreeMap::new()) };
}

pub fn parked() -> u64 {
    PARKED.with(|p| p.borrow().len() as u64)
}

/// Releases up to `count` parked requests; how many it released.
pub fn release(count: u64) -> u64 {
    let tickets: Vec<u64> = PARKED.with(|p| {
        let mut parked = p.borrow_mut();
        let taken: Vec<u64> = parked.iter().copied().take(count.min(usize::MAX as u64) as usize).collect();
        for ticket in &taken {
            parked.remove(ticket);
        }
        taken
    });
    RELEASED.with(|r| r.borrow_mut().extend(tickets.iter().copied()));
    let wakers: Vec<Waker> = WAKERS.with(|w| {
        let mut wakers = w.borrow_mut();
        tickets.iter().filter_map(|ticket| wakers.remove(ticket)).collect()
    });
    for ticket in &tickets {
        wrh_resolve_own(*ticket as f64);
    }
    for waker in wakers {
        waker.wake();
    }
    tickets.len() as u64
}

fn park_timeout(env: &Env) -> Duration {
    let ms = env
        .var("WRH_PARK_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.to_string().parse().ok())
        .unwrap_or(DEFAULT_PARK_TIMEOUT_MS);
    Duration::from_millis(ms)
}

fn take_ticket() -> u64 {
    let ticket = NEXT_TICKET.with(|n| {
        let t = n.get();
        n.set(t + 1);
        t
    });
    PARKED.with(|p| p.borrow_mut().insert(ticket));
    ticket
}

/// Waits until released (true) or until the park timeout passes (false).
pub async fn wait_for_release(env: &Env) -> bool {
    let ticket = take_ticket();
    let polls = park_timeout(env).as_millis() / POLL.as_millis();
    for _ in 0..polls {
        Delay::from(POLL).await;
        if RELEASED.with(|r| r.borrow_mut().remove(&ticket)) {
            return true;
        }
    }
    PARKED.with(|p| p.borrow_mut().remove(&ticket));
    false
}

/// A park woken by the release through its waker (true), or by its deadline (false).
struct Together {
    ticket: u64,
    deadline: Delay,
}

impl Together {
    fn new(ticket: u64, env: &Env) -> Self {
        Together { ticket, deadline: Delay::from(park_timeout(env)) }
    }
}

impl Future for Together {
    type Output = bool;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        let ticket = self.ticket;
        if RELEASED.with(|r| r.borrow_mut().remove(&ticket)) {
            return Poll::Ready(true);
        }
        if Pin::new(&mut self.deadline).poll(cx).is_ready() {
            PARKED.with(|p| p.borrow_mut().remove(&ticket));
            WAKERS.with(|w| w.borrow_mut().remove(&ticket));
            return Poll::Ready(false);
        }
        WAKERS.with(|w| w.borrow_mut().insert(ticket, cx.waker().clone()));
        Poll::Pending
    }
}

/// Waits until the release wakes it (true) or until the park timeout passes (false). It is
/// polled then in the release's batch, in the releasing request's context: a fault there is a
/// fault in the middle of the batch.
pub async fn wait_together(env: &Env) -> bool {
    Together::new(take_ticket(), env).await
}

/// `wait_together`, then back to this request's own context to answer.
async fn park_together(env: &Env) -> bool {
    let ticket = take_ticket();
    let own = JsFuture::from(wrh_own_promise(ticket as f64));
    let released = Together::new(ticket, env).await;
    if released {
        let _ = own.await;
    } else {
        wrh_resolve_own(ticket as f64);
    }
    released
}

/// The body of a sibling that held `seed`'s buffer across its wait.
fn held(seed: u32, buffer: &[u8], released: bool) -> Json {
    let intact = buffer == pattern(seed, buffer.len()).as_slice();
    Json::new()
        .num("seed", seed.into())
        .num("checksum", checksum(buffer).into())
        .boolean("intact", intact)
        .boolean("released", released)
        .num("served", crate::serve())
}

pub async fn park(env: &Env, seed: u32, bytes: usize, together: bool) -> Json {
    let buffer = pattern(seed, bytes);
    let released = if together { park_together(env).await } else { wait_for_release(env).await };
    held(seed, &buffer, released)
}

pub async fn sleep(_env: &Env, ms: u64, seed: u32) -> Json {
    let buffer = pattern(seed, BUFFER_BYTES);
    Delay::from(Duration::from_millis(ms)).await;
    held(seed, &buffer, true)
}
