// The control, and the base of the other patches: a registry of in-flight handler promises, with
// no rejection anywhere. worker-build's shim calls the glue's `fetch` export, which returns the
// promise `future_to_promise` made for the request; here the shim's fetch wrapper returns an
// outer promise that follows it, keeps the outer promise's reject function in `hof.live` (with the
// wasm-bindgen instance the request started in), and calls the export inside an
// AsyncLocalStorage context (`hof.als`, compatibility flag `nodejs_als`) whose store is that
// record, so code that runs later on the request's behalf (a microtask it queued, a promise
// reaction it registered) can find it. It also keeps the last `Rust panic: …` message
// workers-rs's panic hook logs (its `console.error("Critical", error)` import), so a patch can
// name the panic. Nothing here settles a promise: it must behave as unpatched.
//
//   node patch-wrap.mjs build/index.js      (in place; exits 1 unless each site matches once)
import { cli, findOnce, ID, replaceOnce } from "../double-reset/patch-util.mjs";

/** Module-level code prepended to the bundle; `instance` reads wasm-bindgen's instance counter. */
function runtime(instance) {
  return `import{AsyncLocalStorage as HofALS}from"node:async_hooks";` +
    `const hof={als:new HofALS(),live:new Set(),panic:void 0,` +
    // The wasm-bindgen instance now (its closures' \`instance\` field; the reset increments it).
    `instance:()=>${instance},` +
    // The shim's fetch wrapper: the export's promise, followed by an outer one whose reject is kept.
    `handle(call){const rec={instance:this.instance(),reject:void 0};let resolve;` +
    `const outer=new Promise((res,rej)=>{resolve=res;rec.reject=rej});this.live.add(rec);let inner;` +
    `try{inner=this.als.run(rec,call)}catch(e){this.live.delete(rec);throw e}` +
    `Promise.resolve(inner).then(v=>{this.live.delete(rec)&&resolve(v)},e=>{this.live.delete(rec)&&rec.reject(e)});return outer},` +
    // Rejects one in-flight handler (once; later settlements are ignored).
    `fail(rec,message,cause){if(rec&&this.live.delete(rec)){console.log("patch: rejected a handler: "+message.split("\\n")[0]);rec.reject(new Error(message,{cause}))}},` +
    // workers-rs's panic hook logs console.error("Critical", Error("Rust panic: …")) before the trap.
    `seen(x){x instanceof Error&&x.message.startsWith("Rust panic")&&(this.panic=x.message)},` +
    // What the fault was: the panic's message (on one line) if the hook logged one, else the trap itself.
    `fault(x){const m=(this.panic??String(x)).replaceAll("\\n"," ");this.panic=void 0;return m}};`;
}

export function patchWrap(js) {
  // wasm-bindgen's closure state: `let _={a:n,b:e,cnt:1,instance:s}`: s counts instances.
  const [, instance] = findOnce(js, new RegExp(String.raw`\{a:${ID},b:${ID},cnt:1,instance:(${ID})\}`), "closure state");
  // worker-build's shim: `P.prototype.fetch=function(e){return Z.call(this,e,this.env,this.ctx)}`.
  js = replaceOnce(
    js,
    new RegExp(String.raw`(${ID})\.prototype\.fetch=function\((${ID})\)\{return (${ID})\.call\(this,\2,this\.env,this\.ctx\)\}`),
    (_, cls, req, exp) => `${cls}.prototype.fetch=function(${req}){return hof.handle(()=>${exp}.call(this,${req},this.env,this.ctx))}`,
    "shim fetch wrapper",
  );
  // The glue's console.error import with two arguments (the panic hook's).
  js = replaceOnce(
    js,
    new RegExp(String.raw`(__wbg_error_[0-9a-f]+:function\((${ID}),(${ID})\)\{)(console\.error\(\2,\3\)\})`),
    (_, head, a, b, tail) => `${head}hof.seen(${b});${tail}`,
    "console.error import",
  );
  return runtime(instance) + js;
}

cli(import.meta.url, "patch-wrap.mjs", patchWrap);
