//! Under panic=unwind, a JS exception thrown by an import unwinds through the Rust frame that
//! called it, and that frame's locals must be dropped on the way out. The import is declared in
//! an `extern "C"` block, which rustc takes as never unwinding, so an optimised build keeps no
//! landing pad in the caller and what it held is never freed.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use wasm_bindgen::prelude::*;

/// The system allocator, counting the bytes handed out and not yet returned (the live heap).
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

#[wasm_bindgen(inline_js = "export function throw_js() { throw new Error('thrown by JS'); }")]
extern "C" {
    /// Not a `catch` import: the exception goes through the Rust frames that called it.
    fn throw_js();
}

#[wasm_bindgen]
pub fn live_heap_bytes() -> usize {
    LIVE.load(Relaxed)
}

/// Holds 1,000 bytes across a call to JS that throws.
#[wasm_bindgen]
pub fn call_throwing_js_holding_1000_bytes() -> usize {
    let held = std::hint::black_box(vec![0u8; 1000]);
    throw_js();
    held.len()
}
