//! Ways to fail, each the real thing: nothing here simulates a fault.

use std::hint::black_box;

use crate::Counted;

#[link(wasm_import_module = "canary_host")]
unsafe extern "C-unwind" {
    #[link_name = "throw_js_error"]
    fn raw_throw_js_error(ptr: *const u8, len: usize);
}

/// Calls a JS function that throws `Error(message)`; the exception unwinds through our frames.
pub fn throw_js_error(message: &str) {
    let _frame = Counted::new();
    recovery::host::guarded(|| unsafe { raw_throw_js_error(message.as_ptr(), message.len()) });
}

/// Executes `unreachable`: a trap, which nothing can unwind from.
pub fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

/// Allocates 1 MiB blocks until the allocator fails at the linear memory cap; the allocation
/// error handler then aborts.
pub fn exhaust_memory() -> ! {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    loop {
        blocks.push(black_box(vec![0xa5; 1 << 20]));
        black_box(&blocks);
    }
}

/// Recurses until the engine's call stack is exhausted. The work after the call keeps it from
/// becoming a loop, and no local has its address taken, so the frames live on the engine's
/// stack (a `RangeError`) rather than on Rust's shadow stack in linear memory.
#[inline(never)]
fn recurse(n: u32, a: u64, b: u64, c: u64) -> u64 {
    if n == 0 {
        return a ^ b ^ c;
    }
    recurse(n - 1, a.wrapping_mul(3), b ^ a, c.wrapping_add(b)).rotate_left(1) ^ n as u64
}

pub fn overflow_stack() -> u64 {
    recurse(black_box(u32::MAX), 1, 2, 3)
}

struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("panic in Drop while unwinding");
    }
}

/// Panics while a value whose destructor panics is live: a panic during unwinding, which Rust
/// turns into an abort.
pub fn panic_while_unwinding() {
    let _bomb = PanicsOnDrop;
    panic!("first panic, before the one in Drop");
}
