// F8: what wasm-bindgen's macro generates for a plain (not `catch`) import: an `extern "C"`
// declaration called through a Rust-ABI wrapper. Does the frame that calls the wrapper keep a
// landing pad that drops its locals if the import throws? IMPORT_ABI is "C" (as generated) or
// "C-unwind" (the alternative), set by check.sh.
unsafe extern "IMPORT_ABI" { fn js_throw(); }
unsafe extern "C" { fn guard_dropped(); }
pub fn throw_js() { unsafe { js_throw() } }
pub struct Guard;
impl Drop for Guard { fn drop(&mut self) { unsafe { guard_dropped() } } }
#[no_mangle]
pub fn handler() { let _g = Guard; throw_js(); }
