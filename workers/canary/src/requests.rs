//! Stateless routes.

use std::cell::RefCell;
use std::sync::{Mutex, PoisonError};

use crate::integrity::{BUFFER_BYTES, FRAME_BYTES, checksum, pattern};
use crate::{Counted, drops, fault_entered, faults, faults_entered, json_string, pending_drops, requested};

/// State every stateless request updates. Holding its borrow across a trap leaves it borrowed
/// for good: exactly how an abort poisons an instance that is not reset.
struct Shared {
    served: u64,
}

/// A lock only `/panic-holding-lock` takes and `/stats` inspects. A panic while it is held
/// poisons it; under unwind nothing ever clears that (research H6): the program's own state,
/// kept across the panic as the contract keeps all state.
static LOCK: Mutex<u64> = Mutex::new(0);

thread_local! {
    static SHARED: RefCell<Shared> = const { RefCell::new(Shared { served: 0 }) };
}

fn serve() -> u64 {
    SHARED.with(|s| {
        let mut s = s.borrow_mut();
        s.served += 1;
        s.served
    })
}

#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_ok() {
    recovery::export(|| {
        let served = serve();
        recovery::respond(&format!("{{\"served\":{served}}}"));
    })
}

/// Counters of this instance, without touching the shared state (so it answers when poisoned).
/// `panicking` is std's view: true outside any panic means its panic count was left corrupt.
/// `pendingDrops`: counted values whose destructor has not run (`pending_drops`). `instance`: this
/// memory's own number (`recovery::abort::instance`); `faults`: fault requests it began to execute.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_stats() {
    recovery::export(|| {
        let served = SHARED.with(|s| s.try_borrow().map(|s| s.served.to_string()).unwrap_or("null".into()));
        recovery::respond(&format!(
            "{{\"served\":{served},\"drops\":{},\"pendingDrops\":{},\"generation\":{},\"panicking\":{},\"instance\":{},\"faults\":{},\"lockPoisoned\":{}}}",
            drops(),
            pending_drops(),
            recovery::abort::generation(),
            std::thread::panicking(),
            recovery::abort::instance(),
            faults_entered(),
            LOCK.is_poisoned()
        ));
    })
}

/// Panics with the requested message (`requested`), or one naming the request it served.
fn panic_as_requested(ptr: *mut u8, len: usize, n: u32) -> ! {
    fault_entered();
    let _frame = Counted::new();
    let served = serve();
    // SAFETY (every fault export taking a requested text): see `requested`.
    match unsafe { requested(ptr, len) } {
        Some(text) => panic!("{} {}", text, n),
        None => panic!("canary panic on request {served}"),
    }
}

#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_panic(ptr: *mut u8, len: usize, n: u32) {
    recovery::export(|| panic_as_requested(ptr, len, n))
}

/// Traps while holding the shared state.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_abort() {
    recovery::export(|| {
        fault_entered();
        let _frame = Counted::new();
        SHARED.with(|s| {
            let _held = s.borrow_mut();
            faults::trap()
        })
    })
}

#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_oom() {
    recovery::export(|| {
        fault_entered();
        faults::exhaust_memory()
    })
}

#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_stack_overflow() {
    recovery::export(|| {
        fault_entered();
        let depth = faults::overflow_stack();
        recovery::respond(&format!("{{\"depth\":{depth}}}"));
    })
}

#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_js_error(ptr: *mut u8, len: usize, n: u32) {
    recovery::export(|| {
        fault_entered();
        let _frame = Counted::new();
        match unsafe { requested(ptr, len) } {
            Some(text) => faults::throw_js_error(&format!("{text} {n}")),
            None => faults::throw_js_error("js error thrown through Rust frames"),
        }
    })
}

#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_panic_holding_lock(ptr: *mut u8, len: usize, n: u32) {
    recovery::export(|| {
        let mut held = LOCK.lock().unwrap_or_else(PoisonError::into_inner);
        *held += 1;
        panic_as_requested(ptr, len, n)
    })
}

#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_panic_in_drop() {
    recovery::export(|| {
        fault_entered();
        faults::panic_while_unwinding()
    })
}

/// Answers with the string argument and its checksum: arguments must land in the memory of
/// the instance that reads them.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_echo(ptr: *mut u8, len: usize) {
    recovery::export(|| {
        // SAFETY: the host passes an argument it allocated with wrh_alloc.
        let text = unsafe { recovery::take_string(ptr, len) };
        recovery::respond(&format!("{{\"text\":{},\"checksum\":{}}}", json_string(&text), checksum(text.as_bytes())));
    })
}

fn held_buffer_body(seed: u32, buffer: &[u8], before: u32, released: bool) -> String {
    let after = checksum(buffer);
    format!(
        "{{\"seed\":{seed},\"checksum\":{after},\"intact\":{},\"released\":{released},\"served\":{}}}",
        before == after,
        serve()
    )
}

/// Sleeps `ms` with a buffer derived from `seed` held in linear memory across the await.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_sleep(task: u32, ms: u32, seed: u32) {
    recovery::spawn(task, async move {
        let buffer = pattern(seed, BUFFER_BYTES);
        let before = checksum(&buffer);
        recovery::sleep(ms).await.expect("sleep failed");
        held_buffer_body(seed, &buffer, before, true)
    });
}

/// Parks inside Rust until the harness releases it (or the park deadline passes: `released`
/// is then false), holding a buffer like `canary_sleep`, `bytes` long.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_park(task: u32, seed: u32, bytes: u32) {
    recovery::spawn(task, async move {
        let buffer = pattern(seed, bytes as usize);
        let before = checksum(&buffer);
        let released = recovery::park().await.is_ok();
        held_buffer_body(seed, &buffer, before, released)
    });
}

/// Parks like `canary_park`, then faults as it resumes: `fault` 0 panics, 1 throws a JS error
/// through its frames (with the requested message "<text> <n>" when given).
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_resume(task: u32, fault: u32, ptr: *mut u8, len: usize, n: u32) {
    let text = unsafe { requested(ptr, len) }.map(|text| format!("{text} {n}"));
    recovery::spawn(task, async move {
        let _frame = Counted::new();
        let released = recovery::park().await.is_ok();
        fault_entered();
        match (fault, text) {
            (0, Some(text)) => panic!("{text}"),
            (0, None) => panic!("canary panic on resume (released: {released})"),
            (_, Some(text)) => faults::throw_js_error(&text),
            (_, None) => faults::throw_js_error("js error thrown through Rust frames on resume"),
        }
        String::from("{}")
    });
}

#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_panic_after_await(task: u32, ms: u32, ptr: *mut u8, len: usize, n: u32) {
    fault_entered();
    let text = unsafe { requested(ptr, len) };
    recovery::spawn(task, async move {
        let _frame = Counted::new();
        // The request's own state, held across the await inside the future as a real
        // handler's is: a runtime that never frees a future whose poll unwound leaks the
        // future's allocation, this included, with every fault.
        let state = [0xa5u8; FRAME_BYTES];
        recovery::sleep(ms).await.expect("sleep failed");
        std::hint::black_box(&state);
        match text {
            Some(text) => panic!("{} {}", text, n),
            None => panic!("canary panic after await"),
        }
    });
}

/// Spins forever: a worker that hangs. workerd runs every isolate on one thread, so this stops
/// the whole process answering; the harness must notice and replace it.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_spin() {
    recovery::export(|| {
        let mut counter = 0u64;
        loop {
            counter = std::hint::black_box(counter.wrapping_add(1));
        }
    })
}

/// An asynchronous export that completes at its first poll: the cheapest async round trip,
/// for measuring the host's task machinery.
#[unsafe(no_mangle)]
pub extern "C-unwind" fn canary_ready(task: u32) {
    recovery::spawn(task, async { String::from("{}") });
}
