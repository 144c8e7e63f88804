//! The routes, in one table ([`routes`]) that builds the router and that the OpenAPI
//! test compares with `openapi.json`, and the middleware around them.

use super::handlers::{diagnose, errors, machine, ops, search};
use super::middleware;
use super::state::App;
use axum::Router;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;

/// One route: its method, its axum path, and the OpenAPI paths it serves.
pub struct Route {
    pub method: Method,
    /// The path as the router matches it (`{*id}` takes the rest, slashes included).
    pub path: &'static str,
    /// The paths of `openapi.json` this route answers.
    pub documented: &'static [&'static str],
    handler: MethodRouter<Arc<App>>,
}

fn route(
    method: Method,
    path: &'static str,
    documented: &'static [&'static str],
    handler: MethodRouter<Arc<App>>,
) -> Route {
    Route {
        method,
        path,
        documented,
        handler,
    }
}

/// Every route of the server.
pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, "/", &["/"], get(ops::root)),
        route(
            Method::POST,
            "/api/v1/diagnose",
            &["/api/v1/diagnose"],
            post(diagnose::diagnose),
        ),
        route(
            Method::GET,
            "/api/v1/errors",
            &["/api/v1/errors"],
            get(errors::list),
        ),
        route(
            Method::GET,
            "/api/v1/errors.ndjson",
            &["/api/v1/errors.ndjson"],
            get(machine::ndjson),
        ),
        route(
            Method::GET,
            "/api/v1/errors/{*id}",
            &["/api/v1/errors/{id}"],
            get(errors::get),
        ),
        route(
            Method::GET,
            "/errors/{*file}",
            &["/errors/{id}.json", "/errors/{id}.md"],
            get(errors::file),
        ),
        route(
            Method::GET,
            "/{lang}/errors/{*rest}",
            &["/{lang}/errors/{id}/"],
            get(errors::page),
        ),
        route(
            Method::GET,
            "/api/v1/search",
            &["/api/v1/search"],
            get(search::search),
        ),
        route(
            Method::GET,
            "/api/v1/stats",
            &["/api/v1/stats"],
            get(machine::stats),
        ),
        route(Method::GET, "/llms.txt", &["/llms.txt"], get(machine::llms)),
        route(
            Method::GET,
            "/openapi.json",
            &["/openapi.json"],
            get(ops::openapi),
        ),
        route(Method::GET, "/healthz", &["/healthz"], get(ops::healthz)),
        route(Method::GET, "/metrics", &["/metrics"], get(ops::metrics)),
    ]
}

/// The application: every route with its middleware (outermost first: panics to 500,
/// request log and metrics, response compression, 503 while shutting down, the
/// request timeout). Usable without a socket (`tower::ServiceExt::oneshot`).
pub fn app(state: Arc<App>) -> Router {
    let mut router = Router::new();
    for r in routes() {
        router = router.route(r.path, r.handler);
    }
    router
        .fallback(ops::not_found)
        .method_not_allowed_fallback(ops::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::guard,
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .with_state(state)
}
