// The test for F9 in wasm-bindgen's own form: a case for crates/cli/tests/wasm-bindgen/main.rs,
// beside `spawn_local_panic_frees_future`, using that file's `Project` helper and imports. It
// fails on wasm-bindgen 0.2.130 (js-sys 0.3.107) and passes with js-sys.patch. The crate and
// the Node script are repro/src/lib.rs and repro/test.js, verbatim (a test of this repository
// keeps them equal); `npm run test:upstream` runs them here, unpatched and patched.

/// When one task of a batch unwinds out of its poll (a JS exception thrown through its Rust
/// frames under panic=unwind), `QueueState::run_all` leaves the loop and the tasks after it in
/// the same tick stay queued with no run scheduled: they must still run.
#[test]
fn run_all_runs_the_rest_of_a_batch_after_an_unwinding_poll() {
    let mut project = Project::new("run_all_strands_batch_on_unwind");
    project
        .file(
            "src/lib.rs",
            r#"
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
            "#,
        )
        .file(
            "Cargo.toml",
            &format!(
                "
                    [package]
                    name = \"run_all_strands_batch_on_unwind\"
                    authors = []
                    version = \"1.0.0\"
                    edition = '2021'

                    [dependencies]
                    futures-channel = '0.3'
                    wasm-bindgen = {{ path = '{root}' }}
                    wasm-bindgen-futures = {{ path = '{root}/crates/futures' }}

                    [lib]
                    crate-type = ['cdylib']

                    [workspace]
                ",
                root = REPO_ROOT.display(),
            ),
        );

    // The tasks are stranded only when a poll unwinds, which needs nightly build-std under
    // `panic = "unwind"`.
    project
        .cargo_cmd
        .env("RUSTUP_TOOLCHAIN", "nightly")
        .env("RUSTFLAGS", "-Cpanic=unwind")
        .arg("-Zbuild-std=std,panic_unwind");

    let out_dir = project.wasm_bindgen("--target nodejs").unwrap();

    fs::write(
        out_dir.join("test_batch.js"),
        r#"
// F9, standalone: plain Node and the output of `wasm-bindgen --target nodejs`. Exits 0 (PASS)
// when the eight tasks woken beside a failing one all run; 1 when they are stranded.
const wasm = require("./run_all_strands_batch_on_unwind.js");

// The JS error propagates out of the microtask that runs the batch, as an uncaught exception:
// expected; count it and keep the process alive.
let faults = 0;
process.on("uncaughtException", (e) => {
  if (/F9: a JS error/.test((e && e.message) || String(e))) faults++;
  else throw e;
});

globalThis.tasks_done = 0;
wasm.spawn_parked_tasks();
// A macrotask later every task is parked on its gate.
setTimeout(() => {
  wasm.open_gates();
  setTimeout(() => {
    console.log(`faults raised: ${faults}; tasks of the batch done 50 ms after the fault: ${globalThis.tasks_done} of 8`);
    if (faults !== 1) {
      console.log("FAIL: the fault did not surface exactly once");
      process.exit(2);
    }
    if (globalThis.tasks_done !== 8) {
      console.log("FAIL: the rest of the batch is stranded");
      process.exit(1);
    }
    console.log("PASS");
    process.exit(0);
  }, 50);
}, 0);
"#,
    )
    .unwrap();

    Command::new("node")
        .arg("test_batch.js")
        .current_dir(&out_dir)
        .assert()
        .success()
        .stdout(str::contains("PASS"));
}
