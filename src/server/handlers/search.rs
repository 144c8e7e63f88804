//! `GET /api/v1/search?q=&lang=&limit=`: full-text search of the catalog (tantivy),
//! each hit with an HTML snippet whose matching words are in `<b>`.

use crate::index::SearchHit;
use crate::server::error::{AppError, AppResult, Kind};
use crate::server::extract::{Q, parse_lang};
use crate::server::json::Json;
use crate::server::state::App;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Hits unless `limit` says otherwise.
pub const DEFAULT_LIMIT: usize = 10;
/// Most hits.
pub const MAX_LIMIT: usize = 100;

/// Parameters.
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    pub q: Option<String>,
    /// Search only this language's text.
    pub lang: Option<String>,
    pub limit: Option<usize>,
}

/// A hit with links to its entry.
#[derive(Debug, Serialize)]
pub struct Hit {
    #[serde(flatten)]
    pub hit: SearchHit,
    pub url: String,
    pub api_url: String,
}

/// The answer.
#[derive(Debug, Serialize)]
pub struct SearchResults {
    pub query: String,
    pub lang: Option<&'static str>,
    pub hits: Vec<Hit>,
}

/// The handler.
pub async fn search(
    State(app): State<Arc<App>>,
    Q(q): Q<SearchQuery>,
) -> AppResult<Json<SearchResults>> {
    let query = q.q.unwrap_or_default();
    if query.trim().is_empty() {
        return Err(AppError::new(
            Kind::InvalidParameter,
            "q is required: the words to search for",
        ));
    }
    let lang = q.lang.as_deref().map(parse_lang).transpose()?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(AppError::new(
            Kind::InvalidParameter,
            format!("limit is in 1..={MAX_LIMIT}"),
        ));
    }
    let task = app.clone();
    let text = query.clone();
    let hits = tokio::task::spawn_blocking(move || task.index.search(&text, lang, limit))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let hits = hits
        .into_iter()
        .map(|hit| {
            let link_lang = lang.unwrap_or("en");
            Hit {
                url: app.page_url(&hit.id, link_lang),
                api_url: app.api_url(&hit.id, link_lang),
                hit,
            }
        })
        .collect();
    Ok(Json(SearchResults { query, lang, hits }))
}
