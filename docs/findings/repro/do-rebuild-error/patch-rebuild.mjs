// Patch (rebuild): the rebuild gets the handling a first construction has. worker-build 0.8.7's
// shim rebuilds a Durable Object after a reset in the object Proxy's `get` trap
// (`if (target.instanceId !== initState.instanceId) { target.instance = Reflect.construct(…); … }`),
// outside the try/catch of the class Proxy's `construct` trap, whose catch sets
// `initState.criticalError = true` for any exception. Here the rebuild is wrapped in the same
// catch: a failed rebuild sets the flag and rethrows, so the next entry resets the instance.
//
//   node patch-rebuild.mjs build/index.js   (in place; exits 1 unless each site matches once)
import { cli, esc, findOnce, ID, replaceOnce } from "../double-reset/patch-util.mjs";

/** The shim's init state, named by its checkReinitialize: `function C(){S.criticalError&&(console.log("Reinitializing …")`. */
export function shimState(js) {
  return findOnce(
    js,
    new RegExp(String.raw`function ${ID}\(\)\{(${ID})\.criticalError&&\(console\.log\("Reinitializing Wasm application"\)`),
    "shim checkReinitialize",
  )[1];
}

export function patchRebuild(js) {
  const state = esc(shimState(js));
  // `t.instanceId!==S.instanceId&&(t.instance=Reflect.construct(t.ctor,t.args,t.newTarget),t.instanceId=S.instanceId);`
  return replaceOnce(
    js,
    new RegExp(
      String.raw`(${ID})\.instanceId!==(${state})\.instanceId&&\((\1\.instance=Reflect\.construct\(\1\.ctor,\1\.args,\1\.newTarget\),\1\.instanceId=\2\.instanceId)\);`,
    ),
    (_, target, s, rebuild) =>
      `if(${target}.instanceId!==${s}.instanceId)try{${rebuild}}catch(rebuildError){throw ${s}.criticalError=!0,rebuildError}`,
    "get trap rebuild",
  );
}

cli(import.meta.url, "patch-rebuild.mjs", patchRebuild);
