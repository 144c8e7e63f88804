//! The HTTP server (`logdoc serve`): the JSON API, entry pages in Markdown and HTML,
//! and machine-facing extras, on axum and tokio.
//!
//! [`App`] holds the catalog, matcher and search index, built once at start and shared
//! as `Arc<App>`; [`app`] is the router (usable without a socket in tests); [`serve()`]
//! runs it on a listener with the limits of [`Config`] and shuts down gracefully;
//! [`run`] does all of it for the CLI. Handlers live in [`handlers`], one module per
//! group of routes; every error is an [`AppError`] answered as RFC 9457 problem
//! details. Matching runs on tokio's blocking pool, never on the async workers.
//!
//! ```no_run
//! use logdoc::server::{App, Config, app};
//! use std::sync::Arc;
//!
//! let catalog = logdoc::catalog::load(&["catalog"]).catalog;
//! let router = app(Arc::new(App::new(catalog, Config::default()).unwrap()));
//! # drop(router);
//! ```

pub mod body;
pub mod config;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod json;
pub mod metrics;
pub mod middleware;
pub mod pages;
pub mod router;
pub mod serve;
pub mod state;
pub mod ui;

pub use config::Config;
pub use error::{AppError, Kind};
pub use router::{Route, app, routes};
pub use serve::{serve, shutdown_signal};
pub use state::App;

use crate::catalog::Catalog;
use anyhow::Context;
use std::sync::Arc;

/// How request and server logs are written (to standard error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

/// Installs the log subscriber: level from `LOGDOC_LOG` (an `EnvFilter` such as
/// `info` or `warn,logdoc=debug`; default `info`), lines in `format` on stderr.
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("LOGDOC_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tantivy=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Builds the app for `catalog`, binds `config.addr` and serves until SIGTERM or
/// SIGINT. Logs `listening on http://ADDR` once it accepts connections.
pub fn run(config: Config, catalog: Catalog, database: Option<String>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("logdoc-server")
        .build()
        .context("cannot start the async runtime")?;
    let addr = config.addr;
    let entries = catalog.len();
    let mut app_state = App::new(catalog, config)?;
    if let Some(url) = &database {
        tracing::warn!(
            database = %redact_url(url),
            "--database is accepted but not used yet: outcome reports and occurrences are not stored"
        );
    }
    app_state.database = database;
    let app_state = Arc::new(app_state);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        tracing::info!(entries, "listening on http://{local}");
        serve(listener, app_state, shutdown_signal()).await?;
        anyhow::Ok(())
    })
}

/// A database URL without its password, for logs.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact_url("postgres://u:secret@db/x"),
            "postgres://u:***@db/x"
        );
        assert_eq!(super::redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
