//! Operations: `/` (where things are), `/healthz`, `/metrics`, `/openapi.json`, and
//! the answers for unknown routes and methods.

use crate::server::error::{AppError, Kind};
use crate::server::json::Json;
use crate::server::state::App;
use axum::extract::State;
use axum::http::{HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// The OpenAPI 3.1 description of every route (kept true by `tests/server.rs`).
pub const OPENAPI: &str = include_str!("../openapi.json");

/// `GET /`.
pub async fn root(State(app): State<Arc<App>>) -> Json<Value> {
    let base = app.base();
    Json(json!({
        "name": "logdoc",
        "version": env!("CARGO_PKG_VERSION"),
        "entries": app.catalog.len(),
        "diagnose": format!("{base}/api/v1/diagnose"),
        "errors": format!("{base}/api/v1/errors"),
        "search": format!("{base}/api/v1/search"),
        "openapi": format!("{base}/openapi.json"),
        "llms": format!("{base}/llms.txt"),
    }))
}

/// `GET /healthz`: 200 while serving (503 problem while shutting down, answered by
/// the middleware).
pub async fn healthz(State(app): State<Arc<App>>) -> Json<Value> {
    Json(json!({ "status": "ok", "entries": app.catalog.len() }))
}

/// `GET /metrics`.
pub async fn metrics(State(app): State<Arc<App>>) -> Response {
    let ids: Vec<&str> = app
        .catalog
        .entries()
        .iter()
        .map(|e| e.meta.id.as_str())
        .collect();
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        app.metrics.render(&ids),
    )
        .into_response()
}

/// `GET /openapi.json`.
pub async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}

/// Unknown routes.
pub async fn not_found(uri: Uri) -> AppError {
    let path: String = uri.path().chars().take(200).collect();
    AppError::new(Kind::NotFound, format!("no route for `{path}`"))
}

/// Known routes with another method.
pub async fn method_not_allowed(method: Method) -> AppError {
    AppError::new(
        Kind::MethodNotAllowed,
        format!("method {method} is not allowed here; see /openapi.json"),
    )
}
