// Patch (a): wasm-bindgen's call guard no longer continues an old instance's closure call in the
// new instance. In the unpatched glue a closure wrapper checks "is this closure of the current
// instance?" BEFORE it enters the export wrapper, whose call guard then resets the instance (when
// a reinit is scheduled) and goes on to call the new instance with the old closure's pointers.
// Here the wrapper runs the guard first, so a reset it performs is seen by the instance check,
// and the old closure is refused ("Cannot invoke closure from previous WASM instance"). The reset
// itself still happens where it did; only the continuation is gone.
//
//   node patch-a.mjs build/index.js        (in place; exits 1 unless each site matches once)
import { cli, findOnce, ID, replaceOnce } from "./patch-util.mjs";

export function patchA(js) {
  // The call guard: `function G(){if(T??=wasm.__instance_terminated.value/4, …`.
  const [, guard] = findOnce(js, new RegExp(String.raw`function (${ID})\(\)\{if\(${ID}\?\?=${ID}\.__instance_terminated\.value/4,`), "call guard");
  // The closure wrapper's instance check: `if(state.instance!==ID)throw new Error("Cannot invoke closure …")`.
  return replaceOnce(
    js,
    new RegExp(String.raw`if\((${ID})\.instance!==(${ID})\)(throw new Error\("Cannot invoke closure from previous WASM instance"\))`),
    (_, state, id, thrower) => `if(${guard}(),${state}.instance!==${id})${thrower}`,
    "closure instance check",
  );
}

cli(import.meta.url, "patch-a.mjs", patchA);
