// F7, first cause, standalone: plain Node and the output of `wasm-bindgen --target nodejs`.
// Exits 0 (PASS) when a callback of the reset instance is refused and the instance is reset once;
// 1 when the old callback is called on into the new instance.
let instances = 0;
const OrigInstance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  instances++;
  return new OrigInstance(module, imports);
};
const wasm = require("./f7_old_closure.js");

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
