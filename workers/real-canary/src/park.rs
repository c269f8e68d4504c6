//! The park barrier: a request waits inside Rust, holding a buffer in linear memory, until the
//! harness releases it. It wakes on its own timer (workers-rs's `Delay`), never from another
//! request, so each continuation enters Wasm the way a real sibling's does: through a closure
//! of the instance it started in.
use crate::integrity::{BUFFER_BYTES, checksum, pattern};
use crate::json::Json;
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::time::Duration;
use worker::{Delay, Env};

const POLL: Duration = Duration::from_millis(5);
const DEFAULT_PARK_TIMEOUT_MS: u64 = 30_000;

thread_local! {
    static NEXT_TICKET: Cell<u64> = const { Cell::new(1) };
    static PARKED: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
    static RELEASED: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
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

/// Waits until released (true) or until the park timeout passes (false).
pub async fn wait_for_release(env: &Env) -> bool {
    let ticket = NEXT_TICKET.with(|n| {
        let t = n.get();
        n.set(t + 1);
        t
    });
    PARKED.with(|p| p.borrow_mut().insert(ticket));
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

/// The body of a sibling that held `seed`'s buffer across its wait.
fn held(seed: u32, buffer: &[u8], released: bool) -> Json {
    let intact = buffer == pattern(seed, BUFFER_BYTES).as_slice();
    Json::new()
        .num("seed", seed.into())
        .num("checksum", checksum(buffer).into())
        .boolean("intact", intact)
        .boolean("released", released)
        .num("served", crate::serve())
}

pub async fn park(env: &Env, seed: u32) -> Json {
    let buffer = pattern(seed, BUFFER_BYTES);
    let released = wait_for_release(env).await;
    held(seed, &buffer, released)
}

pub async fn sleep(_env: &Env, ms: u64, seed: u32) -> Json {
    let buffer = pattern(seed, BUFFER_BYTES);
    Delay::from(Duration::from_millis(ms)).await;
    held(seed, &buffer, true)
}
