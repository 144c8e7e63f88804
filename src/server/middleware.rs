//! Middleware: [`observe`] (one structured log event and the metrics per request; never
//! the body), [`guard`] (503 while shutting down, the request timeout) and
//! [`panic_response`] (a panic becomes a 500 problem, not a dropped connection).

use super::error::{AppError, Kind};
use super::state::App;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::any::Any;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tracing::Instrument;

/// Route label of requests no route matched.
const UNMATCHED: &str = "(unmatched)";
/// Longest path written to the log.
const MAX_LOGGED_PATH: usize = 200;

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Logs and counts each request: method, route, path (no query string, no body),
/// status, latency, peer; adds `x-request-id` and `x-content-type-options`.
pub async fn observe(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let id = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_string(), |m| m.as_str().to_string());
    let path: String = request.uri().path().chars().take(MAX_LOGGED_PATH).collect();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string())
        .unwrap_or_default();
    let span = tracing::info_span!("request", id, method, route = %route);
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = start.elapsed();
    let status = response.status().as_u16();
    app.metrics.request(&route, method, status, elapsed);
    span.in_scope(|| {
        tracing::info!(
            target: "logdoc::request",
            path = %path,
            status,
            latency_ms = elapsed.as_micros() as f64 / 1000.0,
            peer = %peer,
            "answered"
        );
    });
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        headers.insert("x-request-id", value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// 503 once the server is shutting down; 503 when the request takes longer than
/// `request_timeout` (body upload included).
pub async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if app.draining() {
        return AppError::new(
            Kind::ShuttingDown,
            "the server is shutting down; retry on another instance or later",
        )
        .into_response();
    }
    let timeout = app.config.request_timeout;
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::new(
            Kind::Timeout,
            format!(
                "the request took longer than {:.1} s",
                timeout.as_secs_f64()
            ),
        )
        .into_response(),
    }
}

/// The answer when a handler panics (the panic message goes to the log only).
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    AppError::internal(format!("handler panicked: {message}")).into_response()
}
