//! js-sys's futures queue strands a batch: nine tasks woken in one tick are polled by one
//! `QueueState::run_all`; when the first one's poll unwinds (here a JS error thrown through its
//! Rust frames, under panic=unwind), the other eight stay queued with no run scheduled.
use std::cell::{Cell, RefCell};

use futures_channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

#[wasm_bindgen(inline_js = "
    export function throw_js_error() { throw new Error('F9: a JS error in the first task of the batch'); }
    export function set_tasks_done(n) { globalThis.tasks_done = n; }
")]
extern "C" {
    fn throw_js_error();
    fn set_tasks_done(n: u32);
}

thread_local! {
    static GATES: RefCell<Vec<oneshot::Sender<()>>> = const { RefCell::new(Vec::new()) };
    static DONE: Cell<u32> = const { Cell::new(0) };
}

/// Spawns nine tasks, each parked on a gate of its own; the first throws when it resumes.
#[wasm_bindgen]
pub fn spawn_parked_tasks() {
    for i in 0..9 {
        let (gate, opened) = oneshot::channel::<()>();
        GATES.with(|g| g.borrow_mut().push(gate));
        spawn_local(async move {
            let _ = opened.await;
            if i == 0 {
                throw_js_error();
            }
            DONE.with(|d| d.set(d.get() + 1));
            set_tasks_done(DONE.with(Cell::get));
        });
    }
}

/// Opens every gate in one call: the nine wakes land in one tick, one batch of the queue.
#[wasm_bindgen]
pub fn open_gates() {
    for gate in GATES.with(|g| g.take()) {
        let _ = gate.send(());
    }
}
