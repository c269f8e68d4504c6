//! Re-entrant calls: JS → Rust → JS → Rust …, with a fault at one depth.
//!
//! Each level keeps a buffer on the shadow stack (in linear memory) across its inner call, then
//! does the stack work an inner call would do and reports the buffer's checksum: after a fault
//! swallowed below it, an outer level must find its frame as it left it. A runtime that put the
//! stack pointer back anywhere but where that level left it lets the work land on outer frames.

use std::cell::RefCell;
use std::hint::black_box;

use crate::integrity::{FRAME_BYTES, checksum, frame_seed, pattern, stack_work};
use crate::{Counted, fault_entered, faults, requested};

#[link(wasm_import_module = "canary_host")]
unsafe extern "C-unwind" {
    /// Calls `canary_reenter(depth, at, fault, swallow, level)` back through the host; with
    /// `swallow` the JS in between catches whatever the inner call threw and returns normally.
    #[link_name = "reenter"]
    fn raw_reenter(depth: u32, at: u32, fault: u32, swallow: u32, level: u32);
}

/// What level 1 was asked, for the levels below it (the chain is synchronous: one at a time).
struct Chain {
    seed: u32,
    /// The requested fault message, formatted as `"{text} {n}"`.
    message: Option<String>,
    /// Levels whose Rust frame ran to its end, innermost first, with their frame's checksum.
    completed: Vec<(u32, u32)>,
}

thread_local! {
    static CHAIN: RefCell<Chain> = const { RefCell::new(Chain { seed: 0, message: None, completed: Vec::new() }) };
}

use crate::protocol::{FAULT_ABORT, FAULT_JS_ERROR, FAULT_PANIC};

/// One level of a re-entrant chain `depth` deep (levels 1..=depth) with `fault` at level `at`.
/// Any other `fault` value means no fault. Level 1 takes the chain's frame seed and requested
/// message (`?text=&n=`, null when none) and answers with the levels that completed and their
/// frames' checksums: an outer level may only complete if no abort happened below it.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_reenter(
    depth: u32, at: u32, fault: u32, swallow: u32, level: u32, seed: u32, text_ptr: *mut u8, text_len: usize, n: u32,
) {
    recovery::export(move || {
        if level == 1 {
            // One fault request per chain: its entry at level 1.
            if matches!(fault, FAULT_PANIC | FAULT_ABORT | FAULT_JS_ERROR) {
                fault_entered();
            }
            // SAFETY: see `requested`.
            let message = unsafe { requested(text_ptr, text_len) }.map(|text| format!("{text} {n}"));
            CHAIN.with(|c| *c.borrow_mut() = Chain { seed, message, completed: Vec::new() });
        }
        run_level(depth, at, fault, swallow, level);
        if level == 1 {
            let body = CHAIN.with(|c| {
                let completed = &c.borrow().completed;
                let levels = completed.iter().map(|(level, _)| level.to_string()).collect::<Vec<_>>().join(",");
                let frames = completed.iter().map(|(level, sum)| format!("\"{level}\":{sum}")).collect::<Vec<_>>().join(",");
                format!("{{\"completed\":[{levels}],\"frames\":{{{frames}}},\"drops\":{}}}", crate::drops())
            });
            recovery::respond(&body);
        }
    })
}

#[inline(never)]
fn run_level(depth: u32, at: u32, fault: u32, swallow: u32, level: u32) {
    let _frame = Counted::new();
    let seed = CHAIN.with(|c| c.borrow().seed);
    let mut frame = [0u8; FRAME_BYTES];
    frame.copy_from_slice(&pattern(frame_seed(seed, level), FRAME_BYTES));
    // In linear memory from here on: its address escapes.
    black_box(&mut frame);
    if level == at {
        let message = CHAIN.with(|c| c.borrow().message.clone());
        match (fault, message) {
            (FAULT_PANIC, Some(message)) => panic!("{message}"),
            (FAULT_PANIC, None) => panic!("panic at depth {level}"),
            (FAULT_ABORT, _) => faults::trap(),
            (FAULT_JS_ERROR, Some(message)) => faults::throw_js_error(&message),
            (FAULT_JS_ERROR, None) => faults::throw_js_error(&format!("js error at depth {level}")),
            _ => {}
        }
    }
    if level < depth {
        recovery::host::guarded(|| unsafe { raw_reenter(depth, at, fault, swallow, level + 1) });
        stack_work();
    }
    let sum = checksum(black_box(&frame));
    CHAIN.with(|c| c.borrow_mut().completed.push((level, sum)));
}
