//! Under `--panic-unwind`, a JS exception thrown by an import called from the fetch handler
//! leaks the Rust heap that the handler's frame held at the call.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use wasm_bindgen::prelude::*;
use worker::*;

/// The system allocator, counting the bytes handed out and not yet returned (the live heap).
/// `realloc` and `alloc_zeroed` keep their default bodies, which go through these two.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size(), Relaxed);
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

#[wasm_bindgen(inline_js = "export function throw_js(message) { throw new Error(message); }")]
extern "C" {
    /// Not a `catch` import: the exception goes through the Rust frames that called it.
    fn throw_js(message: &str);
}

#[event(fetch)]
pub async fn main(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    match req.path().as_str() {
        "/" => Response::ok(format!(r#"{{"liveHeapBytes":{}}}"#, LIVE.load(Relaxed))),
        "/js-error" => {
            let message = format!("thrown by JS while handling {}", req.path());
            throw_js(&message);
            Response::ok("unreachable")
        }
        "/js-error-holding-1000-bytes" => {
            let held = std::hint::black_box(vec![0u8; 1000]);
            throw_js("thrown by JS");
            Response::ok(format!("unreachable {}", held.len()))
        }
        "/js-error-holding-nothing" => {
            throw_js("thrown by JS");
            Response::ok("unreachable")
        }
        _ => Response::error("not found", 404),
    }
}
