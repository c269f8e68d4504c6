// Patch (b): worker-build's `criticalError` does not survive a reset that wasm-bindgen performed.
// The shim's checkReinitialize resets when `__worker_init_state.criticalError` is set and clears
// the flag only after its own reset; a reset by wasm-bindgen's call guard leaves it set. Here
// wasm-bindgen's reset function (which the shim also calls for its own resets) clears the flag once
// the new instance has started, so every reset, whoever performs it, answers the flag it
// raised. A fault in the new instance sets it again as usual.
//
//   node patch-b.mjs build/index.js        (in place; exits 1 unless each site matches once)
import { cli, esc, findOnce, ID, replaceOnce } from "./patch-util.mjs";

export function patchB(js) {
  // The shim's checkReinitialize: `function C(){S.criticalError&&(console.log("Reinitializing …"),R(),…`
  // names the shim's init state S and wasm-bindgen's reset function R.
  const [, , state, reset] = findOnce(
    js,
    new RegExp(String.raw`function (${ID})\(\)\{(${ID})\.criticalError&&\(console\.log\("Reinitializing Wasm application"\),(${ID})\(\),`),
    "shim checkReinitialize",
  );
  // wasm-bindgen's reset: `function R(){…,wasm.__wbindgen_start()}` (no braces inside).
  return replaceOnce(
    js,
    new RegExp(String.raw`(function ${esc(reset)}\(\)\{[^{}]*\.__wbindgen_start\(\))\}`),
    (_, body) => `${body},${state}.criticalError=!1}`,
    "wasm-bindgen reset function",
  );
}

cli(import.meta.url, "patch-b.mjs", patchB);
