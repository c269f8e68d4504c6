//! The Durable Object counter: `memory` lives only in Wasm memory (lost when the object is
//! rebuilt after a reset), `stored` in the object's storage (never lost once acknowledged).
//! `Counter` serves the canary protocol at `/do/<name>/<op>` and workers-rs's test-worker
//! layout at `/durable/<id>`; `MyClass` answers `/durable/hello` as the test worker's does.
use crate::json::Json;
use crate::{faults, ok_json, ok_text, park};
use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use worker::*;

const STORED_COUNT_KEY: &str = "count";

struct CounterState {
    state: State,
    env: Env,
    memory: AssertUnwindSafe<Cell<u64>>,
}

impl CounterState {
    fn new(state: State, env: Env) -> Self {
        CounterState { state, env, memory: AssertUnwindSafe(Cell::new(0)) }
    }

    async fn stored(&self) -> Result<u64> {
        Ok(self.state.storage().get::<u64>(STORED_COUNT_KEY).await?.unwrap_or(0))
    }

    /// One more in memory and one more stored; answers once the write is durable.
    async fn increment(&self) -> Result<(u64, u64)> {
        self.memory.set(self.memory.get() + 1);
        let stored = self.stored().await? + 1;
        self.state.storage().put(STORED_COUNT_KEY, stored).await?;
        Ok((self.memory.get(), stored))
    }

    fn counts(&self, memory: u64, stored: u64) -> Json {
        Json::new().num("memory", memory).num("stored", stored)
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        crate::probes::generation();
        let path = req.path();
        let op = path.rsplit('/').next().unwrap_or_default();
        match op {
            "increment" => {
                let (memory, stored) = self.increment().await?;
                ok_json(self.counts(memory, stored))
            }
            "read" => ok_json(self.counts(self.memory.get(), self.stored().await?)),
            "park" => {
                let released = park::wait_for_release(&self.env).await?;
                ok_json(self.counts(self.memory.get(), self.stored().await?).boolean("released", released))
            }
            "panic" => faults::panic(faults::requested(&req.url()?)?),
            "abort" => {
                faults::entered();
                core::arch::wasm32::unreachable()
            }
            "durable" => {
                let (memory, stored) = self.increment().await?;
                let secret = self.env.secret("SOME_SECRET").map(|s| s.to_string()).unwrap_or_else(|_| "none".into());
                ok_text(format!(
                    "[durable_object]: self.count: {}, self.unstored_count: {memory}, secret value: {secret}",
                    stored * 10
                ))
            }
            "hello" => {
                self.stored().await?;
                ok_text("Hello from my-durable-object!".into())
            }
            other => Response::error(format!("NotFound: no counter operation {other}"), 404),
        }
    }
}

/// A Durable Object class around CounterState: workers-rs's test worker binds two (COUNTER
/// and MY_CLASS), and `#[durable_object]` wants a struct of its own for each.
macro_rules! counter_class {
    ($name:ident) => {
        #[durable_object]
        pub struct $name {
            inner: CounterState,
        }

        impl DurableObject for $name {
            fn new(state: State, env: Env) -> Self {
                $name { inner: CounterState::new(state, env) }
            }

            async fn fetch(&self, req: Request) -> Result<Response> {
                self.inner.fetch(req).await
            }
        }
    };
}

counter_class!(Counter);
counter_class!(MyClass);

async fn call(namespace: &ObjectNamespace, name: &str, path: &str) -> Result<Response> {
    let stub = namespace.id_from_name(name)?.get_stub()?;
    stub.fetch_with_str(&format!("http://counter{path}")).await
}

/// `/do/<name>/<op>?<query>`: the operation on the counter object called `name`.
pub async fn forward(env: &Env, rest: &str, req: Request) -> Result<Response> {
    let name = rest.split('/').next().unwrap_or_default();
    let query = req.url()?.query().map(|q| format!("?{q}")).unwrap_or_default();
    call(&env.durable_object("COUNTER")?, name, &format!("/do/{rest}{query}")).await
}

/// workers-rs's test worker: every `/durable/<id>` reaches object "A" (its `handle_id` ignores
/// the id), `/durable/hello` asks MY_CLASS's "my-durable-object".
pub async fn test_worker_route(env: &Env, id: &str) -> Result<Response> {
    if id == "hello" {
        let namespace = env.durable_object("MY_CLASS").or_else(|_| env.durable_object("COUNTER"))?;
        return call(&namespace, "my-durable-object", "/hello").await;
    }
    call(&env.durable_object("COUNTER")?, "A", "/durable").await
}
