//! The canary protocol (harness/engine/client.ts) served by a Worker written against the real
//! `worker` crate: every fault runs inside workers-rs's own handler futures, Durable Object
//! and closures, so what the harness records is what workers-rs, wasm-bindgen's glue and
//! worker-build's shim do. Nothing here catches a panic or an abort: the runtime under test
//! turns them into responses (or does not), and the harness reads what comes back.
//!
//! It also serves workers-rs's own test-worker layout (`/test-panic`, `/durable/<id>`, …) so
//! that the `workers-rs-test` profile can be judged against a real build.
use std::cell::{Cell, RefCell};
use worker::*;

mod bench;
mod counter;
mod faults;
#[path = "../../recovery/src/heap.rs"]
mod heap;
#[path = "../../canary/src/integrity.rs"]
mod integrity;
mod json;
mod notes;
mod park;
mod probes;
#[path = "../../protocol.rs"]
mod protocol;
mod reenter;

pub use counter::{Counter, MyClass};
use json::Json;

thread_local! {
    /// State every stateless request touches; `/abort` traps while it is borrowed, so an
    /// instance that is not replaced after that abort fails every later request.
    pub(crate) static SHARED: RefCell<u64> = const { RefCell::new(0) };
    static DROPS: Cell<u64> = const { Cell::new(0) };
}

/// Counts Rust destructors that ran: an unwind runs them, an abort does not.
pub(crate) struct DropCounter;

impl Drop for DropCounter {
    fn drop(&mut self) {
        DROPS.with(|d| d.set(d.get() + 1));
    }
}

pub(crate) fn drops() -> u64 {
    DROPS.with(Cell::get)
}

/// One more request served; the count lives in Wasm memory.
pub(crate) fn serve() -> u64 {
    SHARED.with(|s| {
        let mut served = s.borrow_mut();
        *served += 1;
        *served
    })
}

pub(crate) fn hold_shared_and<T>(f: impl FnOnce() -> T) -> T {
    SHARED.with(|s| {
        let _held = s.borrow_mut();
        f()
    })
}

pub(crate) fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

pub(crate) fn number(url: &Url, name: &str, default: u64) -> Result<u64> {
    match query(url, name) {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|_| Error::RustError(format!("BadRequest: query parameter {name} must be a non-negative integer"))),
    }
}

/// The `bytes` a park holds: the protocol's buffer size, or less when the request names it.
fn held_bytes(url: &Url) -> Result<usize> {
    let bytes = number(url, "bytes", integrity::BUFFER_BYTES as u64)?;
    if bytes > integrity::BUFFER_BYTES as u64 {
        return Err(Error::RustError(format!("BadRequest: query parameter bytes must be at most {}", integrity::BUFFER_BYTES)));
    }
    Ok(bytes as usize)
}

/// A 200 JSON body naming the generation that served it.
pub(crate) fn ok_json(body: Json) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("wrh-generation", &probes::generation().to_string())?;
    Ok(Response::ok(body.finish())?.with_headers(headers))
}

pub(crate) fn ok_text(body: String) -> Result<Response> {
    let headers = Headers::new();
    headers.set("wrh-generation", &probes::generation().to_string())?;
    Ok(Response::ok(body)?.with_headers(headers))
}

#[event(fetch, respond_with_errors)]
pub async fn main(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    probes::generation();
    let url = req.url()?;
    let path = url.path().to_owned();
    if let Some(rest) = path.strip_prefix("/do/") {
        return counter::forward(&env, rest, req).await;
    }
    if let Some(id) = path.strip_prefix("/durable/") {
        return counter::test_worker_route(&env, id).await;
    }
    match path.as_str() {
        "/ok" => ok_json(Json::new().num("served", serve())),
        "/stats" => ok_json(probes::stats()),
        "/__harness/info" => ok_json(probes::info(&env).await),
        "/__harness/parked" => ok_json(Json::new().num("parked", park::parked(&env).await?)),
        "/__harness/bench" => ok_json(bench::run(&url)?),
        "/__harness/release" => ok_json(Json::new().num("released", park::release(&env, number(&url, "count", u64::MAX)?).await?)),
        "/echo" => {
            let text = query(&url, "text").unwrap_or_default();
            ok_json(Json::new().str("text", &text).num("checksum", integrity::checksum(text.as_bytes()).into()))
        }
        "/sleep" => ok_json(park::sleep(&env, number(&url, "ms", 0)?, number(&url, "seed", 1)? as u32).await),
        "/park" => ok_json(park::park(&env, number(&url, "seed", 1)? as u32, held_bytes(&url)?, number(&url, "together", 0)? == 1).await?),
        "/resume" => {
            let requested = faults::requested(&url)?;
            park::wait_together(&env).await?;
            match query(&url, "fault").as_deref() {
                Some("panic") => faults::panic(requested),
                Some("js-error") => faults::js_error(requested),
                _ => Err(Error::RustError("BadRequest: fault must be panic or js-error".into())),
            }
        }
        "/reenter" => ok_json(reenter::run(&url)?),
        "/object/new" => ok_json(notes::create(&query(&url, "text").unwrap_or_default())),
        "/object/read" => ok_json(notes::read(number(&url, "id", 0)? as u32)?),
        "/panic-after-await" => {
            let requested = faults::requested(&url)?;
            Delay::from(std::time::Duration::from_millis(number(&url, "ms", 1)?)).await;
            faults::panic(requested)
        }
        "/panic" | "/test-panic" => faults::panic(faults::requested(&url)?),
        "/abort" | "/test-abort" => faults::abort(),
        "/oom" | "/test-oom" => faults::oom(),
        "/stack-overflow" => faults::stack_overflow(),
        "/js-error" | "/test-js-error" => faults::js_error(faults::requested(&url)?),
        "/panic-in-drop" => faults::panic_in_drop(),
        "/panic-holding-lock" => faults::panic_holding_lock(faults::requested(&url)?),
        _ => Response::error(format!("NotFound: no route {path}"), 404),
    }
    // Errors of our own (bad parameters, a Durable Object's failure) become 500s with their
    // text through `respond_with_errors`; the runtime's failures leave the handler as they are.
}
