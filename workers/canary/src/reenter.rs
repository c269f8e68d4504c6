//! Re-entrant calls: JS → Rust → JS → Rust …, with a fault at one depth.

use std::cell::RefCell;

use crate::{Counted, faults};

#[link(wasm_import_module = "canary_host")]
unsafe extern "C-unwind" {
    /// Calls `canary_reenter(depth, at, fault, swallow, level)` back through the host; with
    /// `swallow` the JS in between catches whatever the inner call threw and returns normally.
    #[link_name = "reenter"]
    fn raw_reenter(depth: u32, at: u32, fault: u32, swallow: u32, level: u32);
}

thread_local! {
    /// Levels whose Rust frame ran to its end, innermost first.
    static COMPLETED: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

pub const FAULT_PANIC: u32 = 1;
pub const FAULT_ABORT: u32 = 2;
pub const FAULT_JS_ERROR: u32 = 3;

/// One level of a re-entrant chain `depth` deep (levels 1..=depth) with `fault` at level `at`.
/// Any other `fault` value means no fault. Level 1 answers with the levels that completed: an outer level may only complete if no
/// abort happened below it.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_reenter(depth: u32, at: u32, fault: u32, swallow: u32, level: u32) {
    recovery::export(|| {
        let _frame = Counted;
        if level == 1 {
            COMPLETED.with(|c| c.borrow_mut().clear());
        }
        if level == at {
            match fault {
                FAULT_PANIC => panic!("panic at depth {level}"),
                FAULT_ABORT => faults::trap(),
                FAULT_JS_ERROR => faults::throw_js_error(&format!("js error at depth {level}")),
                _ => {}
            }
        }
        if level < depth {
            recovery::host::guarded(|| unsafe { raw_reenter(depth, at, fault, swallow, level + 1) });
        }
        COMPLETED.with(|c| c.borrow_mut().push(level));
        if level == 1 {
            let completed = COMPLETED.with(|c| c.borrow().iter().map(u32::to_string).collect::<Vec<_>>().join(","));
            recovery::respond(&format!("{{\"completed\":[{completed}],\"drops\":{}}}", crate::drops()));
        }
    })
}
