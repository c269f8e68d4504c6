// Patch "refusal": when wasm-bindgen refuses a closure of a previous instance, reject the handler
// whose continuation it was. The site is the closure wrapper's instance check,
// `if(_.instance!==s)throw new Error("Cannot invoke closure from previous WASM instance")`. A
// parked request's continuation (the resolve callback js-sys's JsFuture registered on its
// subrequest's promise) runs as a promise reaction in the async context of the request that
// registered it, so `hof.als.getStore()` is that request's handler. The throw stays. Built on
// patch-wrap.mjs.
//
//   node patch-refusal.mjs build/index.js   (in place; exits 1 unless each site matches once)
import { cli, replaceOnce } from "../double-reset/patch-util.mjs";
import { patchWrap } from "./patch-wrap.mjs";

export function patchRefusal(js) {
  js = patchWrap(js);
  return replaceOnce(
    js,
    /(throw new Error\("Cannot invoke closure from previous WASM instance"\))/,
    (_, thrower) => `{hof.fail(hof.als.getStore(),"stale instance: this request's continuation is a closure of a Wasm instance that was reset");${thrower}}`,
    "closure instance check",
  );
}

cli(import.meta.url, "patch-refusal.mjs", patchRefusal);
