//! For programs and language models: `/llms.txt` (an index of every entry with links
//! to its Markdown), `/api/v1/errors.ndjson` (every entry as JSON, one per line,
//! streamed) and `/api/v1/stats`.

use super::errors::{LangQuery, entry_json, languages};
use crate::catalog::LANGS;
use crate::server::error::AppResult;
use crate::server::extract::{Q, negotiate};
use crate::server::json::{Json, write_html_safe_json};
use crate::server::state::App;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt::Write;
use std::sync::Arc;

/// Entries serialized per chunk of the NDJSON stream.
const NDJSON_CHUNK: usize = 32;

/// The text of `/llms.txt` (see llmstxt.org): what logdoc is, how to call it, and
/// every entry by domain with a link to its Markdown.
pub fn llms_txt(app: &App) -> String {
    let base = app.base();
    let mut out = String::with_capacity(200 * app.catalog.len() + 2048);
    let _ = write!(
        out,
        "# logdoc\n\n\
         > logdoc reads raw CI logs and names the known error in them, with the evidence \
         lines, the root cause, fixes with success rates and dead ends with failure rates. \
         This catalog holds {} entries in {}.\n\n\
         - Diagnose a log: `POST {base}/api/v1/diagnose` with the raw log as `text/plain` \
         (or gzip, a GitHub log zip, or JSON `{{\"log\": \"...\", \"lang\": \"en\"}}`).\n\
         - Every entry as Markdown: `{base}/errors/{{id}}.md`; as JSON: \
         `{base}/api/v1/errors/{{id}}`; all entries as NDJSON: `{base}/api/v1/errors.ndjson`.\n\
         - Search: `{base}/api/v1/search?q=...`. API description: `{base}/openapi.json`.\n",
        app.catalog.len(),
        LANGS.join(", ")
    );
    let mut domain = "";
    for e in app.catalog.entries() {
        if e.meta.domain != domain {
            domain = &e.meta.domain;
            let _ = write!(out, "\n## {domain}\n\n");
        }
        let signature = e.meta.signature.replace(['\n', '\r'], " ");
        let _ = writeln!(
            out,
            "- [{}]({}): {}",
            e.meta.title.replace(['[', ']'], ""),
            app.md_url(&e.meta.id, "en"),
            crate::logtext::truncate(&signature, 200)
        );
    }
    out
}

/// `GET /llms.txt`.
pub async fn llms(State(app): State<Arc<App>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        app.llms_txt().to_string(),
    )
        .into_response()
}

/// `GET /api/v1/errors.ndjson?lang=`: every entry, one JSON object per line, in
/// catalog order, serialized as the stream is read.
pub async fn ndjson(
    State(app): State<Arc<App>>,
    Q(q): Q<LangQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = negotiate(q.lang.as_deref(), &headers)?;
    let chunks = app.catalog.len().div_ceil(NDJSON_CHUNK);
    let stream = futures_util::stream::iter(0..chunks).map(move |chunk| {
        let mut out = Vec::with_capacity(64 << 10);
        let start = chunk * NDJSON_CHUNK;
        for entry in app.catalog.entries().iter().skip(start).take(NDJSON_CHUNK) {
            if write_html_safe_json(&mut out, &entry_json(&app, entry, lang)).is_ok() {
                out.push(b'\n');
            }
        }
        Ok::<_, Infallible>(Bytes::from(out))
    });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-language"));
    Ok(response)
}

use futures_util::StreamExt;

/// `GET /api/v1/stats`.
#[derive(Debug, Serialize)]
pub struct Stats {
    pub entries: usize,
    pub translations: usize,
    pub by_domain: BTreeMap<String, usize>,
    pub by_category: BTreeMap<String, usize>,
    /// Entries available in each language (English: all).
    pub by_language: BTreeMap<String, usize>,
    pub by_root_cause_type: BTreeMap<String, usize>,
}

/// The handler.
pub async fn stats(State(app): State<Arc<App>>) -> Json<Stats> {
    let mut stats = Stats {
        entries: app.catalog.len(),
        translations: 0,
        by_domain: BTreeMap::new(),
        by_category: BTreeMap::new(),
        by_language: LANGS.iter().map(|l| (l.to_string(), 0)).collect(),
        by_root_cause_type: BTreeMap::new(),
    };
    for e in app.catalog.entries() {
        stats.translations += e.translations.len();
        *stats.by_domain.entry(e.meta.domain.clone()).or_default() += 1;
        *stats
            .by_category
            .entry(e.meta.category.clone())
            .or_default() += 1;
        *stats
            .by_root_cause_type
            .entry(e.meta.root_cause_type.clone())
            .or_default() += 1;
        for l in languages(e) {
            *stats.by_language.entry(l.to_string()).or_default() += 1;
        }
    }
    Json(stats)
}
