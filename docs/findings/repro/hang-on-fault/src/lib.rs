//! A panic or trap in the fetch handler, with other requests of the same instance parked on I/O.
use wasm_bindgen::prelude::*;
use worker::*;

// Counts `WebAssembly.Instance` constructions in this isolate (the glue's first instantiation and
// every reset) and reads worker-build's `__worker_init_state.instanceId`.
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
pub async fn main(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    match req.path().as_str() {
        "/count" => Response::ok(format!(r#"{{"instances":{},"instanceId":{}}}"#, instances(), instance_id())),
        // Waits on I/O: a subrequest to the `PARK` service, which answers when the test releases
        // this hold (`/park?id=…` names it).
        "/park" => {
            let query = req.url()?.query().unwrap_or_default().to_string();
            let mut answer = env.service("PARK")?.fetch(format!("http://park/hold?{query}"), None).await?;
            let text = answer.text().await?;
            Response::ok(format!("parked, then {text}"))
        }
        "/panic" => panic!("boom"),
        "/trap" => core::arch::wasm32::unreachable(),
        _ => Response::error("not found", 404),
    }
}
