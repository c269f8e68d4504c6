// Patch "abort": when the instance aborts, reject every in-flight handler promise that started
// in it. The site is wasm-bindgen's termination path, the catch handler of every export and
// closure call: `function o(n){throw n instanceof WebAssembly.Exception&&n.is(J)?n.getArg(J,0):
// (q()[U]=1,te(),n)}`, whose second branch marks the instance terminated and runs its abort hook
// (workers-rs's on_abort schedules the reinit). After the hook, the handler whose async context
// this is (the request whose poll trapped) is rejected with the fault, every other in-flight
// handler of the same instance with a stale-instance error. Built on patch-wrap.mjs.
//
//   node patch-abort.mjs build/index.js     (in place; exits 1 unless each site matches once)
import { cli, ID, replaceOnce } from "../double-reset/patch-util.mjs";
import { patchWrap } from "./patch-wrap.mjs";

export function patchAbort(js) {
  js = patchWrap(js);
  return replaceOnce(
    js,
    new RegExp(String.raw`(\(${ID}\(\)\[${ID}\]=1,${ID}\(\)),(${ID})\)\}`),
    (_, head, err) => `${head},hofAborted(${err}),${err})}`,
    "termination path",
  ) + "function hofAborted(x){const m=hof.fault(x),dead=hof.instance(),own=hof.als.getStore();" +
    "for(const rec of [...hof.live])if(rec.instance===dead)hof.fail(rec,rec===own?`Wasm instance aborted: ${m}`:" +
    "`stale instance: the Wasm instance this request ran in aborted (${m})`,x)}";
}

cli(import.meta.url, "patch-abort.mjs", patchAbort);
