// F8, standalone: plain Node and the output of `wasm-bindgen --target nodejs` for a crate built
// with -Cpanic=unwind. Exits 0 (PASS) when a Rust frame that a JS exception unwinds through
// drops what it held; 1 when the bytes it held stay allocated.
const wasm = require("./f8_unwind_leak.js");

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
