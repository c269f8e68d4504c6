//! One panic (or trap) while another request sleeps on a `Delay` resets the instance twice.
use std::time::Duration;
use wasm_bindgen::prelude::*;
use worker::*;

// Counts `WebAssembly.Instance` constructions in this isolate (whoever makes them: the glue's
// first instantiation, wasm-bindgen's reset, worker-build's shim) and reads worker-build's
// `__worker_init_state.instanceId`. The glue imports this snippet before instantiating.
#[wasm_bindgen(inline_js = "
if (globalThis.__instances === undefined) {
  globalThis.__instances = 0;
  WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
    construct(target, args, newTarget) {
      globalThis.__instances++;
      return Reflect.construct(target, args, newTarget);
    },
  });
}
export function instances() { return globalThis.__instances; }
export function instance_id() { return globalThis.__worker_init_state?.instanceId ?? -1; }
")]
extern "C" {
    fn instances() -> u32;
    fn instance_id() -> i32;
}

#[event(fetch)]
pub async fn main(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    match req.path().as_str() {
        "/" => Response::ok(format!(r#"{{"instances":{},"instanceId":{}}}"#, instances(), instance_id())),
        "/sleep" => {
            Delay::from(Duration::from_millis(500)).await;
            Response::ok("slept")
        }
        "/panic" => panic!("boom"),
        "/trap" => core::arch::wasm32::unreachable(),
        _ => Response::error("not found", 404),
    }
}
