//! The Durable Object counter. Its Rust state counts increments twice: `memory`, only in
//! linear memory (lost whenever the instance is), and `stored`, mirrored to Durable Object
//! storage and acknowledged only once the write is durable.

use std::cell::RefCell;

use crate::{Counted, fault_entered};

const COUNTER_MAGIC: u64 = 0x636f_756e_7465_7221;

pub struct Counter {
    magic: u64,
    memory: u64,
    stored: u64,
}

type Shared = RefCell<Counter>;

/// # Safety
/// `ptr` must come from `canary_counter_new` of this instance and not be freed.
unsafe fn counter<'a>(ptr: *const Shared) -> &'a Shared {
    let counter = unsafe { &*ptr };
    assert_eq!(counter.borrow().magic, COUNTER_MAGIC, "not a counter: a pointer from another instance?");
    counter
}

fn state_json(counter: &Counter) -> String {
    format!("{{\"memory\":{},\"stored\":{}}}", counter.memory, counter.stored)
}

/// Builds the Rust side of a counter whose storage holds `stored`; in-memory count starts at 0.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_counter_new(stored: f64) -> *const Shared {
    recovery::export(|| {
        Box::into_raw(Box::new(RefCell::new(Counter { magic: COUNTER_MAGIC, memory: 0, stored: stored as u64 })))
            as *const Shared
    })
}

#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_counter_free(ptr: *mut Shared) {
    // SAFETY: the host forgets the pointer afterwards.
    recovery::export(|| drop(unsafe { Box::from_raw(ptr) }))
}

#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_counter_read(ptr: *const Shared) {
    // SAFETY (all counter exports): the host passes the pointer of its own live counter.
    recovery::export(|| recovery::respond(&state_json(&unsafe { counter(ptr) }.borrow())))
}

/// Increments both counts; answers once the stored count is durable.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_counter_increment(task: u32, ptr: *const Shared) {
    let counter = unsafe { counter(ptr) };
    recovery::spawn(task, async move {
        // The mirror moves before the await so a concurrent increment writes the next value.
        let stored = {
            let mut c = counter.borrow_mut();
            c.memory += 1;
            c.stored += 1;
            c.stored
        };
        recovery::storage_put("count", stored as f64).await.expect("storage write failed");
        state_json(&counter.borrow())
    });
}

/// Increments the in-memory count, then panics (with the requested message, if any): under
/// unwind the increment stays.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_counter_panic(ptr: *const Shared, text_ptr: *mut u8, text_len: usize, n: u32) {
    recovery::export(|| {
        fault_entered();
        let _frame = Counted::new();
        unsafe { counter(ptr) }.borrow_mut().memory += 1;
        // SAFETY: see `requested`.
        match unsafe { crate::requested(text_ptr, text_len) } {
            Some(text) => panic!("{} {}", text, n),
            None => panic!("counter panic"),
        }
    })
}

#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_counter_abort(ptr: *const Shared) {
    recovery::export(|| {
        fault_entered();
        let _borrowed = unsafe { counter(ptr) }.borrow_mut();
        crate::faults::trap()
    })
}

/// Increments the in-memory count and parks inside the object until released (or the park
/// deadline passes).
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_counter_park(task: u32, ptr: *const Shared) {
    let counter = unsafe { counter(ptr) };
    recovery::spawn(task, async move {
        counter.borrow_mut().memory += 1;
        let released = recovery::park().await.is_ok();
        let c = counter.borrow();
        format!("{{\"memory\":{},\"stored\":{},\"released\":{released}}}", c.memory, c.stored)
    });
}
