// The test for F8 in wasm-bindgen's own form: a case for crates/cli/tests/wasm-bindgen/main.rs,
// beside the `termination` tests, using that file's `Project` helper and imports. Like the other
// panic=unwind cases there, it needs a nightly cargo with `-Zbuild-std`. It fails on wasm-bindgen
// 0.2.130 and passes with wasm-bindgen-macro-support.patch. The crate and the Node script are
// repro/src/lib.rs and repro/test.js, verbatim (a test of this repository keeps them equal);
// `npm run test:upstream` runs them here, unpatched and patched.

/// Under panic=unwind, a JS exception thrown by an import unwinds through the Rust frame that
/// called it; in an optimised build that frame must still drop its locals on the way out.
#[test]
#[ignore = "requires nightly Rust with -Zbuild-std"]
fn unwind_js_error_drops_locals() {
    let mut project = Project::new("unwind_js_error_drops_locals");
    project
        .file(
            "src/lib.rs",
            r#"
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
            "#,
        )
        .file(
            "Cargo.toml",
            &format!(
                "
                    [package]
                    name = \"unwind_js_error_drops_locals\"
                    authors = []
                    version = \"1.0.0\"
                    edition = '2021'

                    [dependencies]
                    wasm-bindgen = {{ path = '{root}' }}

                    [lib]
                    crate-type = ['cdylib']

                    [workspace]

                    [profile.dev]
                    panic = 'unwind'
                    opt-level = 's'
                ",
                root = REPO_ROOT.display(),
            ),
        );
    project
        .cargo_cmd
        .env("RUSTUP_TOOLCHAIN", "nightly")
        .arg("-Zbuild-std=std,panic_unwind");

    let out_dir = project.wasm_bindgen("--target nodejs").unwrap();

    fs::write(
        out_dir.join("test_unwind_drops_locals.js"),
        r#"
// F8, standalone: plain Node and the output of `wasm-bindgen --target nodejs` for a crate built
// with -Cpanic=unwind. Exits 0 (PASS) when a Rust frame that a JS exception unwinds through
// drops what it held; 1 when the bytes it held stay allocated.
const wasm = require("./unwind_js_error_drops_locals.js");

const CALLS = 10;
const before = wasm.live_heap_bytes();
for (let i = 0; i < CALLS; i++) {
  try {
    wasm.call_throwing_js_holding_1000_bytes();
    console.log("FAIL: the import did not throw");
    process.exit(2);
  } catch (e) {
    if (!/thrown by JS/.test((e && e.message) || String(e))) throw e;
  }
}
const kept = wasm.live_heap_bytes() - before;
console.log(`live heap after ${CALLS} JS errors, each through a frame holding 1000 B: ${kept} B more than before`);
if (kept !== 0) {
  console.log("FAIL: the unwound frames' locals were never dropped");
  process.exit(1);
}
console.log("PASS");
process.exit(0);
"#,
    )
    .unwrap();

    Command::new("node")
        .arg("test_unwind_drops_locals.js")
        .current_dir(&out_dir)
        .assert()
        .success()
        .stdout(str::contains("PASS"));
}
