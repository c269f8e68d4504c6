// F9, standalone: plain Node and the output of `wasm-bindgen --target nodejs`. Exits 0 (PASS)
// when the eight tasks woken beside a failing one all run; 1 when they are stranded.
const wasm = require("./f9_batch.js");

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
