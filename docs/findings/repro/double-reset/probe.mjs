// Measurement only, applied by prove.mjs on top of every build (unpatched, a, b, a+b) unless
// --no-probe: console.log lines at the sites that tell the two resets apart. No control flow
// changes: each call, throw and return stays where it was.
//   "probe: call guard reset"            wasm-bindgen's call guard is about to reset the instance
//   "probe: old closure refused"         a closure wrapper throws "Cannot invoke closure from previous WASM instance"
//   "probe: closure call threw <error>"  a closure's call into Wasm threw (past the instance check)
//   "probe: reinit scheduled"            wasm-bindgen's reinit flag is set (workers-rs's on_abort → schedule_reinit)
//   "probe: criticalError true|false"    the shim's flag changes (whoever writes it: the panic hook,
//                                        the shim's handleMaybeCritical, checkReinitialize, patch b)
// The shim's own resets already log "Reinitializing Wasm application". All probe lines are
// console.log, like that one, so they reach stdout in the order they happened.
//
//   node probe.mjs build/index.js          (in place; exits 1 unless each site matches once)
import { cli, esc, findOnce, ID, replaceOnce } from "./patch-util.mjs";

export function probe(js) {
  const GUARD = `console.log("probe: call guard reset")`;
  // The call guard: `…if(D||Z(),O){R();return}throw new Error("Module terminated")}else O&&R()}`.
  const [, flag, reset] = findOnce(js, new RegExp(String.raw`,(${ID})\)\{(${ID})\(\);return\}throw new Error\("Module terminated"\)\}else \1&&\2\(\)\}`), "call guard");
  js = replaceOnce(
    js,
    new RegExp(String.raw`,${esc(flag)}\)\{${esc(reset)}\(\);return\}throw new Error\("Module terminated"\)\}else ${esc(flag)}&&${esc(reset)}\(\)\}`),
    () => `,${flag}){${GUARD};${reset}();return}throw new Error("Module terminated")}else ${flag}&&(${GUARD},${reset}())}`,
    "call guard",
  );
  js = replaceOnce(
    js,
    /throw new Error\("Cannot invoke closure from previous WASM instance"\)/,
    `{console.log("probe: old closure refused");throw new Error("Cannot invoke closure from previous WASM instance")}`,
    "closure instance check",
  );
  // wasm-bindgen's reinit import: `__wbg___wbindgen_reinit_<hash>:function(){S=!0}`.
  js = replaceOnce(
    js,
    new RegExp(String.raw`(__wbg___wbindgen_reinit_[0-9a-f]+:function\(\)\{)(${ID}=!0\})`),
    (_, head, tail) => `${head}console.log("probe: reinit scheduled"),${tail}`,
    "reinit import",
  );
  // The shim's init state, right after the shim reads it: `Error.stackTraceLimit=100;var S=I();`.
  js = replaceOnce(
    js,
    new RegExp(String.raw`(Error\.stackTraceLimit=100;var (${ID})=${ID}\(\);)`),
    (_, decl, state) => `${decl}{let probeFlag=${state}.criticalError;Object.defineProperty(${state},"criticalError",{configurable:!0,enumerable:!0,` +
      `get(){return probeFlag},set(x){x=!!x;x!==probeFlag&&console.log("probe: criticalError "+x);probeFlag=x}})}`,
    "shim init state",
  );
  // makeMutClosure's call: `try{return f(a,state.b,...args)}finally{`.
  return replaceOnce(
    js,
    new RegExp(String.raw`try\{return (${ID}\(${ID},${ID}\.b,\.\.\.${ID}\))\}finally\{`),
    (_, call) => `try{return ${call}}catch(probeError){console.log("probe: closure call threw "+probeError);throw probeError}finally{`,
    "closure call",
  );
}

cli(import.meta.url, "probe.mjs", probe);
