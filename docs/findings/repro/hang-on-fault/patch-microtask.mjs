// Patch "microtask": catch what the executor's microtask throws and reject the handler whose
// request queued it. js-sys's executor polls every task inside one closure it hands to
// `queueMicrotask` (the glue's import `__wbg_queueMicrotask_…:function(e){queueMicrotask(e)}`);
// a trap in a poll leaves that callback as an exception. Here the callback is wrapped: on a
// throw, the handler of the current async context (the request whose call queued the microtask)
// is rejected with the fault, and the exception is rethrown as before, so the shim still sees it.
// Other in-flight handlers are left alone. Built on patch-wrap.mjs.
//
//   node patch-microtask.mjs build/index.js (in place; exits 1 unless each site matches once)
import { cli, ID, replaceOnce } from "../double-reset/patch-util.mjs";
import { patchWrap } from "./patch-wrap.mjs";

export function patchMicrotask(js) {
  js = patchWrap(js);
  return replaceOnce(
    js,
    new RegExp(String.raw`(__wbg_queueMicrotask_[0-9a-f]+:function\((${ID})\)\{queueMicrotask\()\2\)\}`),
    (_, head, cb) => `${head}hofCatch(${cb}))}`,
    "queueMicrotask import",
  ) + "function hofCatch(f){return()=>{try{return f()}catch(x){" +
    "hof.fail(hof.als.getStore(),`Wasm fault in the executor's microtask: ${hof.fault(x)}`,x);throw x}}}";
}

cli(import.meta.url, "patch-microtask.mjs", patchMicrotask);
