// Patch (a-early), a variant of (a) for contrast: an old instance's closure is refused BEFORE
// wasm-bindgen's call guard can reset on its behalf. While a reinit is scheduled the current
// instance is the dead one, so every closure call is a call of the dead instance; the closure
// wrapper throws "Cannot invoke closure from previous WASM instance" and the reset is left to
// whatever enters next (here: the next request, through worker-build's shim). Patch (a) keeps
// the wake-up's reset and drops only the continuation; this one drops the wake-up's reset too.
//
//   node patch-a-early.mjs build/index.js  (in place; exits 1 unless each site matches once)
import { cli, findOnce, ID, replaceOnce } from "./patch-util.mjs";

export function patchAEarly(js) {
  // wasm-bindgen's "reinit scheduled" flag, from the call guard's tail: `…throw new Error("Module terminated")}else S&&R()}`.
  const [, scheduled] = findOnce(js, new RegExp(String.raw`throw new Error\("Module terminated"\)\}else (${ID})&&${ID}\(\)\}`), "call guard");
  return replaceOnce(
    js,
    new RegExp(String.raw`if\((${ID})\.instance!==(${ID})\)(throw new Error\("Cannot invoke closure from previous WASM instance"\))`),
    (_, state, id, thrower) => `if(${scheduled}||${state}.instance!==${id})${thrower}`,
    "closure instance check",
  );
}

cli(import.meta.url, "patch-a-early.mjs", patchAEarly);
