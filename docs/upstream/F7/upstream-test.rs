// The test for F7's first cause in wasm-bindgen's own form: a case for
// crates/cli/tests/wasm-bindgen/main.rs, beside `termination_reinit`, using that file's `Project`
// helper and imports. It fails on wasm-bindgen 0.2.130 and passes with
// wasm-bindgen-cli-support.patch. The crate and the Node script are repro/src/lib.rs and
// repro/test.js, verbatim (a test of this repository keeps them equal); `npm run test:upstream`
// runs them here, unpatched and patched.

/// After a reinit is scheduled, the first call into Wasm resets the instance. When that call is a
/// closure of the old instance, it must be refused ("Cannot invoke closure from previous WASM
/// instance"), not called on into the new instance with the old instance's closure pointer.
#[test]
fn reinit_refuses_a_closure_of_the_old_instance() {
    let mut project = Project::new("reinit_refuses_old_closure");
    project
        .file(
            "src/lib.rs",
            r#"
                //! A closure of a reset instance must not run in the new one. After a reinit is scheduled (what
                //! workers-rs's abort hook does on a fault), the first call into Wasm resets the instance. When
                //! that first call is an old instance's closure (a timer or a promise callback created before
                //! the fault), the closure wrapper has already checked its instance, so the call goes on into the
                //! new instance with the old instance's closure pointer.
                use wasm_bindgen::prelude::*;

                #[wasm_bindgen(inline_js = "
                    export function closure_ran() { globalThis.closure_ran = (globalThis.closure_ran || 0) + 1; }
                ")]
                extern "C" {
                    fn closure_ran();
                }

                /// A callback of this instance, as a timer or a promise would hold it.
                #[wasm_bindgen]
                pub fn make_callback() -> JsValue {
                    Closure::<dyn FnMut()>::new(closure_ran).into_js_value()
                }

                /// What workers-rs's abort hook does when the instance faults.
                #[wasm_bindgen]
                pub fn schedule_reinit() {
                    wasm_bindgen::handler::schedule_reinit();
                }

                #[wasm_bindgen]
                pub fn add(a: u32, b: u32) -> u32 {
                    a + b
                }
            "#,
        )
        .file(
            "Cargo.toml",
            &format!(
                "
                    [package]
                    name = \"reinit_refuses_old_closure\"
                    authors = []
                    version = \"1.0.0\"
                    edition = '2021'

                    [dependencies]
                    wasm-bindgen = {{ path = '{root}' }}

                    [lib]
                    crate-type = ['cdylib']

                    [workspace]
                ",
                root = REPO_ROOT.display(),
            ),
        );

    let out_dir = project.wasm_bindgen("--target nodejs").unwrap();

    fs::write(
        out_dir.join("test_old_closure.js"),
        r#"
// F7, first cause, standalone: plain Node and the output of `wasm-bindgen --target nodejs`.
// Exits 0 (PASS) when a callback of the reset instance is refused and the instance is reset once;
// 1 when the old callback is called on into the new instance.
let instances = 0;
const OrigInstance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  instances++;
  return new OrigInstance(module, imports);
};
const wasm = require("./reinit_refuses_old_closure.js");

const callback = wasm.make_callback();
wasm.schedule_reinit();
let outcome;
try {
  callback();
  outcome = "returned";
} catch (e) {
  outcome = `threw ${e && e.constructor && e.constructor.name}: ${(e && e.message) || e}`;
}
const refused = /Cannot invoke closure from previous WASM instance/.test(outcome);
console.log(`old callback ${outcome}; instances ${instances}; the callback body ran ${globalThis.closure_ran || 0} time(s)`);
if (wasm.add(1, 2) !== 3) {
  console.log("FAIL: the instance does not answer after the reset");
  process.exit(1);
}
if (!refused || instances !== 2 || globalThis.closure_ran) {
  console.log("FAIL: the old instance's callback went on into the new instance");
  process.exit(1);
}
console.log("PASS");
process.exit(0);
"#,
    )
    .unwrap();

    Command::new("node")
        .arg("test_old_closure.js")
        .current_dir(&out_dir)
        .assert()
        .success()
        .stdout(str::contains("PASS"));
}
