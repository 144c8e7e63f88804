//! `POST /api/v1/diagnose`: a log in, the CLI's JSON object out (DESIGN "Contracts"),
//! each diagnosis with the `url` of its page and the `api_url` of its JSON.
//!
//! The body is read on the async workers (bounded by `max_body`); decompression,
//! matching, rendering and serializing run on the blocking pool, at most
//! `max_diagnoses` at once.

use crate::matcher::Options;
use crate::render;
use crate::server::body::{self, Form};
use crate::server::error::{AppError, AppResult, Kind};
use crate::server::extract::{Q, accept_language, parse_lang};
use crate::server::json::{JsonBytes, to_html_safe_json};
use crate::server::state::App;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use std::io;
use std::sync::Arc;

/// Most diagnoses one request may ask for.
pub const MAX_TOP: usize = 50;
/// Diagnoses returned unless `top` says otherwise (as the CLI).
pub const DEFAULT_TOP: usize = 3;
/// Longest `file` name echoed back.
const MAX_FILE_NAME: usize = 256;

/// Query parameters (all optional; a JSON body's fields win over them).
#[derive(Debug, Default, Deserialize)]
pub struct DiagnoseQuery {
    pub lang: Option<String>,
    pub top: Option<usize>,
    pub file: Option<String>,
}

/// The JSON body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiagnoseJson {
    log: String,
    lang: Option<String>,
    top: Option<usize>,
    file: Option<String>,
}

/// The handler.
pub async fn diagnose(
    State(app): State<Arc<App>>,
    Q(query): Q<DiagnoseQuery>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<JsonBytes> {
    let declared = body::declared(&headers)?;
    if let Some(lang) = &query.lang {
        parse_lang(lang)?;
    }
    check_top(query.top)?;
    let _ticket = app.admit()?;
    let raw = body::read(&headers, body, app.config.max_body).await?;
    let permit = app.slot().await?;
    let fallback_lang = accept_language(&headers).unwrap_or("en");
    let task = app.clone();
    let work = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        run(&task, declared, raw.into(), query, fallback_lang)
    });
    let bytes = work.await.map_err(AppError::internal)??;
    Ok(JsonBytes(bytes))
}

fn check_top(top: Option<usize>) -> AppResult<()> {
    match top {
        Some(n) if n > MAX_TOP => Err(AppError::new(
            Kind::InvalidParameter,
            format!("top must be at most {MAX_TOP}"),
        )),
        _ => Ok(()),
    }
}

/// Decodes, diagnoses and serializes one log (on the blocking pool).
fn run(
    app: &App,
    declared: body::Declared,
    raw: Vec<u8>,
    query: DiagnoseQuery,
    fallback_lang: &'static str,
) -> AppResult<Vec<u8>> {
    let limit = app.config.max_body;
    let mut bytes = body::decode_codings(raw, declared.gzip_codings, limit)?;
    let DiagnoseQuery {
        mut lang,
        mut top,
        mut file,
    } = query;
    let form = if declared.form == Form::Json {
        let json: DiagnoseJson = serde_json::from_slice(&bytes).map_err(|e| {
            AppError::new(
                Kind::InvalidJson,
                format!(
                    "expected {{\"log\": \"...\", \"lang\": ..., \"top\": ..., \"file\": ...}}: {e}"
                ),
            )
        })?;
        bytes = json.log.into_bytes();
        lang = json.lang.or(lang);
        top = json.top.or(top);
        file = json.file.or(file);
        Form::Sniffed
    } else {
        declared.form
    };
    let lang = match lang {
        Some(tag) => parse_lang(&tag)?,
        None => fallback_lang,
    };
    check_top(top)?;
    let log = body::unpack(bytes, form, limit)?;
    let mut file = file.unwrap_or_else(|| "-".to_string());
    if file.len() > MAX_FILE_NAME {
        let mut end = MAX_FILE_NAME;
        while !file.is_char_boundary(end) {
            end -= 1;
        }
        file.truncate(end);
    }
    // As the CLI: the index's signature search is the fallback when no pattern matches.
    let options = Options {
        top: top.unwrap_or(DEFAULT_TOP),
        baseline: None,
        fuzzy: Some(&app.index),
    };
    let report = app
        .matcher
        .diagnose(&file, io::Cursor::new(log), &options)
        .map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => AppError::new(Kind::BadEncoding, e.to_string()),
            _ => AppError::internal(format!("diagnosis failed: {e}")),
        })?;
    app.metrics.diagnosed(
        report
            .diagnoses
            .iter()
            .filter_map(|d| app.matcher.entry_index(&d.id)),
    );
    let mut view = render::view(report, &app.catalog, lang);
    for d in &mut view.report.diagnoses {
        d.url = Some(app.page_url(&d.diagnosis.id, lang));
        d.api_url = Some(app.api_url(&d.diagnosis.id, lang));
    }
    to_html_safe_json(&view).map_err(AppError::internal)
}
