//! The part of workers-rs's test worker (test/src/lib.rs and test/src/router.rs) that F10's test
//! needs: the shared data every handler takes, the `/test-panic` route, and the routes of
//! rebuild_error.rs, which is the file to add to test/src.
use worker::{event, Env, Request, Response, Result, Router};

mod rebuild_error;

#[derive(Clone)]
pub struct SomeSharedData;

#[event(fetch, respond_with_errors)]
pub async fn main(request: Request, env: Env, _ctx: worker::Context) -> Result<Response> {
    Router::with_data(SomeSharedData)
        .get("/test-panic", |req, ctx| handle_test_panic(req, ctx.env, ctx.data))
        .get_async("/rebuild-error/object", |req, ctx| rebuild_error::handle_object(req, ctx.env, ctx.data))
        .get("/rebuild-error/arm", |req, ctx| rebuild_error::handle_arm(req, ctx.env, ctx.data))
        .get("/rebuild-error/disarm", |req, ctx| rebuild_error::handle_disarm(req, ctx.env, ctx.data))
        .get("/rebuild-error/instance", |req, ctx| rebuild_error::handle_instance(req, ctx.env, ctx.data))
        .run(request, env)
        .await
}

fn handle_test_panic(_req: Request, _env: Env, _data: SomeSharedData) -> Result<Response> {
    panic!("Intentional panic for testing context abort functionality");
}
