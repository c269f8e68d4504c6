//! The part of workers-rs's test worker (test/src/lib.rs and test/src/router.rs) that F7's test
//! needs: the shared data every handler takes, the `/test-panic` route, and the routes of
//! double_reset.rs, which is the file to add to test/src.
use worker::{event, Env, Request, Response, Result, Router};

mod double_reset;

#[derive(Clone)]
pub struct SomeSharedData;

#[event(fetch, respond_with_errors)]
pub async fn main(request: Request, env: Env, _ctx: worker::Context) -> Result<Response> {
    Router::with_data(SomeSharedData)
        .get("/test-panic", |req, ctx| handle_test_panic(req, ctx.env, ctx.data))
        .get_async("/double-reset/sleep", |req, ctx| double_reset::handle_sleep(req, ctx.env, ctx.data))
        .get("/double-reset/starts", |req, ctx| double_reset::handle_starts(req, ctx.env, ctx.data))
        .run(request, env)
        .await
}

fn handle_test_panic(_req: Request, _env: Env, _data: SomeSharedData) -> Result<Response> {
    panic!("Intentional panic for testing context abort functionality");
}
