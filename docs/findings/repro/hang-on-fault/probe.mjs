// Measurement only, applied by prove.mjs on top of every build unless --no-probe: console.log
// lines, no control-flow change (each call, throw and return stays where it was).
//   "probe: instance aborted by <error>"  wasm-bindgen's termination path (the catch of every export
//                                         and closure call) marks the instance terminated
//   "probe: microtask threw <error>"      the callback js-sys's executor queued with queueMicrotask
//                                         (it polls the tasks) left with an exception
//   "probe: old closure refused"          a closure wrapper throws "Cannot invoke closure from
//                                         previous WASM instance"
// Applied after the patches; each site matches in the unpatched and in every patched form.
//
//   node probe.mjs build/index.js          (in place; exits 1 unless each site matches once)
import { cli, ID, replaceOnce } from "../double-reset/patch-util.mjs";

export function probe(js) {
  js = replaceOnce(
    js,
    new RegExp(String.raw`(function ${ID}\((${ID})\)\{throw \2 instanceof WebAssembly\.Exception&&\2\.is\(${ID}\)\?\2\.getArg\(${ID},0\):\()`),
    (_, head, err) => `${head}console.log("probe: instance aborted by "+${err}),`,
    "termination path",
  );
  js = replaceOnce(
    js,
    new RegExp(String.raw`(__wbg_queueMicrotask_[0-9a-f]+:function\(${ID}\)\{queueMicrotask\()([^{}]*)\)\}`),
    (_, head, cb) => `${head}probeMicrotask(${cb}))}`,
    "queueMicrotask import",
  );
  js = replaceOnce(
    js,
    /throw new Error\("Cannot invoke closure from previous WASM instance"\)/,
    `{console.log("probe: old closure refused");throw new Error("Cannot invoke closure from previous WASM instance")}`,
    "closure instance check",
  );
  return js + `function probeMicrotask(f){return()=>{try{return f()}catch(x){console.log("probe: microtask threw "+x);throw x}}}`;
}

cli(import.meta.url, "probe.mjs", probe);
