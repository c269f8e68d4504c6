// Control patch (construct): the class Proxy's `construct` trap no longer sets
// `initState.criticalError = true` when it catches an exception; it only rethrows. A first
// construction that fails is then handled like an unpatched rebuild that fails: if the shim's flag
// is what resets the instance after a failed first construction, its leak should appear here.
//
//   node patch-construct.mjs build/index.js   (in place; exits 1 unless each site matches once)
import { cli, esc, ID, replaceOnce } from "../double-reset/patch-util.mjs";
import { shimState } from "./patch-rebuild.mjs";

export function patchConstruct(js) {
  const state = esc(shimState(js));
  // The end of `construct(…){try{…}catch(e){throw S.criticalError=!0,e}}` and of the hooks
  // object (`}}`), which tells it from the catch patch-rebuild.mjs adds.
  return replaceOnce(
    js,
    new RegExp(String.raw`\}catch\((${ID})\)\{throw ${state}\.criticalError=!0,\1\}(?=\}\})`),
    (_, error) => `}catch(${error}){throw ${error}}`,
    "construct catch",
  );
}

cli(import.meta.url, "patch-construct.mjs", patchConstruct);
