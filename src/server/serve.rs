//! The accept loop: hyper (HTTP/1.1 and HTTP/2) with head size, header count and head
//! timeout limits, and graceful shutdown: on the signal, new requests get 503 for
//! `shutdown_delay`, then the listener closes and in-flight requests finish (for at
//! most `shutdown_timeout`).

use super::config::{Config, MIN_HEADER_BYTES};
use super::router::app;
use super::state::App;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tower::Service;

/// Serves `app` on `listener` until `shutdown` completes, then shuts down gracefully.
pub async fn serve(
    listener: TcpListener,
    app_state: Arc<App>,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let router = app(app_state.clone());
    let builder = builder(&app_state.config);
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                accept(accepted, &builder, &router, &graceful).await;
            }
            () = &mut shutdown => break,
        }
    }
    app_state.start_draining();
    let config = &app_state.config;
    tracing::info!(
        "shutting down: new requests get 503 for {:.1} s, then in-flight requests get up to {:.1} s",
        config.shutdown_delay.as_secs_f64(),
        config.shutdown_timeout.as_secs_f64()
    );
    let mut delay = pin!(tokio::time::sleep(config.shutdown_delay));
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                accept(accepted, &builder, &router, &graceful).await;
            }
            () = &mut delay => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all requests finished; stopped"),
        () = tokio::time::sleep(config.shutdown_timeout) => {
            tracing::warn!("requests still running after the shutdown timeout; stopped anyway");
        }
    }
    Ok(())
}

/// The hyper connection builder with the configured limits.
fn builder(config: &Config) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout)
        .max_buf_size(config.max_header_bytes.max(MIN_HEADER_BYTES))
        .max_headers(config.max_headers);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(config.max_header_bytes).unwrap_or(u32::MAX))
        .max_concurrent_streams(256);
    builder
}

/// Serves one accepted connection on its own task.
async fn accept(
    accepted: io::Result<(TcpStream, SocketAddr)>,
    builder: &Builder<TokioExecutor>,
    router: &axum::Router,
    graceful: &GracefulShutdown,
) {
    let (stream, peer) = match accepted {
        Ok(pair) => pair,
        Err(err) => {
            // Out of file descriptors and the like: wait instead of spinning.
            tracing::warn!(error = %err, "accept failed");
            tokio::time::sleep(Duration::from_millis(50)).await;
            return;
        }
    };
    let _ = stream.set_nodelay(true);
    let router = router.clone();
    let service = tower::service_fn(move |mut request: axum::http::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().call(request)
    });
    let connection = builder
        .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service));
    let connection = graceful.watch(connection.into_owned());
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            tracing::debug!(error = %err, %peer, "connection ended with an error");
        }
    });
}

/// Completes on SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
                    _ = term.recv() => tracing::info!("SIGTERM received"),
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
