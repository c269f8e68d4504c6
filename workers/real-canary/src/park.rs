//! The park barrier: a request waits inside Rust, holding a buffer in linear memory, until the
//! harness releases it. It waits as a real sibling waits on I/O: on a subrequest to the
//! harness's park service (harness/runner/park-service.js, bound as `PARK`), which holds it
//! open and answers at the release. Nothing of the canary's own wakes it before that answer, so
//! after a fault the first thing to enter the instance is whatever the harness sends next, and
//! the parked request comes back through a closure of the instance it started in, as a real
//! sibling's continuation does. The holds are the service's, not this instance's: the count and
//! the release ask the service, so both stay right after a reset replaced the memory that parked.
//!
//! A park `together` is woken by the release itself, through its task's waker, as one request
//! wakes the waiters of another in a real worker (a shared cache fill, a channel): the release
//! wakes them all, oldest first, so wasm-bindgen's executor polls them in one batch, in the
//! releasing request's context. A response made there fails in workerd ("Cannot perform I/O on
//! behalf of a different request"), so once polled a parked request goes on to await a promise
//! of its own, created when it parked and resolved once the batch polled it, whose continuation
//! workerd runs back in its own context. A task the batch never polls never gets there. It
//! holds at the service too, to be counted and released with the rest, but nothing awaits that
//! hold: any wake-up runs the executor's whole queue, and its answer would poll what a fault in
//! the batch left stranded. Its timer is only the park's deadline: the release wakes it.
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
use worker::{Delay, Env, Error, Result, js_sys};

#[wasm_bindgen(module = "/src/park.js")]
extern "C" {
    fn wrh_own_promise(ticket: f64) -> js_sys::Promise;
    fn wrh_resolve_own(ticket: f64);
    fn wrh_hold_unawaited(service: &JsValue, url: &str);
}

/// The park service's binding, and the variable naming the scope this worker parks in.
const SERVICE: &str = "PARK";
const SCOPE: &str = "WRH_PARK_SCOPE";
const DEFAULT_PARK_TIMEOUT_MS: u64 = 30_000;

thread_local! {
    static NEXT_TICKET: Cell<u64> = const { Cell::new(1) };
    /// This instance's parks `together` that wait for the release, with their task's waker once polled.
    static WAITING: RefCell<BTreeMap<u64, Option<Waker>>> = const { RefCell::new(BTreeMap::new()) };
    static RELEASED: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
}

fn park_timeout(env: &Env) -> Duration {
    let ms = env
        .var("WRH_PARK_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.to_string().parse().ok())
        .unwrap_or(DEFAULT_PARK_TIMEOUT_MS);
    Duration::from_millis(ms)
}

fn service_url(env: &Env, route: &str, query: &str) -> String {
    let scope = env.var(SCOPE).map(|v| v.to_string()).unwrap_or_default();
    format!("http://park/{route}?scope={scope}{query}")
}

/// The service's JSON answer to `route`.
async fn ask(env: &Env, route: &str, query: &str) -> Result<JsValue> {
    let mut answer = env.service(SERVICE)?.fetch(service_url(env, route, query), None).await?;
    let text = answer.text().await?;
    if answer.status_code() != 200 {
        return Err(Error::RustError(format!("the park service answered {} to /{route}: {text}", answer.status_code())));
    }
    js_sys::JSON::parse(&text).map_err(|_| Error::RustError(format!("the park service's answer to /{route} is not JSON: {text}")))
}

fn count_in(answer: &JsValue, field: &str) -> Result<u64> {
    js_sys::Reflect::get(answer, &field.into())?
        .as_f64()
        .map(|n| n as u64)
        .ok_or_else(|| Error::RustError(format!("the park service's answer has no {field} count")))
}

/// Requests parked in this worker's scope now, in this instance or in one a reset replaced.
pub async fn parked(env: &Env) -> Result<u64> {
    count_in(&ask(env, "parked", "").await?, "parked")
}

/// Releases up to `count` parked requests, oldest first; how many it released. The service
/// answers their holds; this instance's parks `together` among them are woken here, in one go.
pub async fn release(env: &Env, count: u64) -> Result<u64> {
    let answer = ask(env, "release", &format!("&count={count}")).await?;
    let mine = format!("{}.", crate::probes::generation());
    let tickets: Vec<u64> = js_sys::Array::from(&js_sys::Reflect::get(&answer, &"ids".into())?)
        .iter()
        .filter_map(|id| id.as_string()?.strip_prefix(&mine)?.parse().ok())
        .collect();
    let wakers: Vec<Waker> = WAITING.with(|w| {
        let mut waiting = w.borrow_mut();
        let released: Vec<u64> = tickets.into_iter().filter(|ticket| waiting.contains_key(ticket)).collect();
        RELEASED.with(|r| r.borrow_mut().extend(released.iter().copied()));
        released.iter().filter_map(|ticket| waiting.remove(ticket).flatten()).collect()
    });
    for waker in wakers {
        waker.wake();
    }
    count_in(&answer, "released")
}

fn take_ticket() -> u64 {
    NEXT_TICKET.with(|n| {
        let t = n.get();
        n.set(t + 1);
        t
    })
}

/// A hold's address: its id names this instance and the ticket, so a release tells this
/// instance's tickets from those of an instance a reset replaced.
fn hold_url(env: &Env, ticket: u64) -> String {
    let id = format!("&id={}.{ticket}&ms={}", crate::probes::generation(), park_timeout(env).as_millis());
    service_url(env, "hold", &id)
}

/// Waits on a hold at the park service until released (true) or until the park timeout passes (false).
pub async fn wait_for_release(env: &Env) -> Result<bool> {
    let mut answer = env.service(SERVICE)?.fetch(hold_url(env, take_ticket()), None).await?;
    let text = answer.text().await?;
    match (answer.status_code(), text.as_str()) {
        (200, "released") => Ok(true),
        (200, "expired") => Ok(false),
        (status, _) => Err(Error::RustError(format!("the park service answered {status} to a hold: {text}"))),
    }
}

/// A park woken by the release through its waker (true), or by its deadline (false).
struct Together {
    ticket: u64,
    deadline: Delay,
}

impl Together {
    /// Counted at the service from here on, and known to this instance's release.
    fn park(env: &Env) -> Result<Self> {
        let ticket = take_ticket();
        wrh_hold_unawaited(env.service(SERVICE)?.as_ref(), &hold_url(env, ticket));
        WAITING.with(|w| w.borrow_mut().insert(ticket, None));
        Ok(Together { ticket, deadline: Delay::from(park_timeout(env)) })
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
            WAITING.with(|w| w.borrow_mut().remove(&ticket));
            return Poll::Ready(false);
        }
        WAITING.with(|w| w.borrow_mut().insert(ticket, Some(cx.waker().clone())));
        Poll::Pending
    }
}

/// Waits until the release wakes it (true) or until the park timeout passes (false). It is
/// polled then in the release's batch, in the releasing request's context: a fault there is a
/// fault in the middle of the batch.
pub async fn wait_together(env: &Env) -> Result<bool> {
    Ok(Together::park(env)?.await)
}

/// `wait_together`, then back to this request's own context to answer. The task resolves its
/// own promise once the batch has polled it, not the release: a task the batch stranded then
/// has nothing of its own that would enter the instance, as a stranded waiter of a real worker has not.
async fn park_together(env: &Env) -> Result<bool> {
    let together = Together::park(env)?;
    let ticket = together.ticket as f64;
    let own = JsFuture::from(wrh_own_promise(ticket));
    let released = together.await;
    wrh_resolve_own(ticket);
    if released {
        let _ = own.await;
    }
    Ok(released)
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

pub async fn park(env: &Env, seed: u32, bytes: usize, together: bool) -> Result<Json> {
    let buffer = pattern(seed, bytes);
    let released = if together { park_together(env).await? } else { wait_for_release(env).await? };
    Ok(held(seed, &buffer, released))
}

pub async fn sleep(_env: &Env, ms: u64, seed: u32) -> Json {
    let buffer = pattern(seed, BUFFER_BYTES);
    Delay::from(Duration::from_millis(ms)).await;
    held(seed, &buffer, true)
}
