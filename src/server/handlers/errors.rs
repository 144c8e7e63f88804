//! The catalog's entries: the paged list, one entry as JSON (localized, saying which
//! fields fell back to English), as Markdown, and as an HTML page. Ids from the path
//! are only looked up in the catalog.

use crate::catalog::{Entry, Example, LANGS, Pattern};
use crate::render::{Localized, localize};
use crate::server::error::{AppError, AppResult, Kind};
use crate::server::extract::{Q, negotiate, parse_lang};
use crate::server::json::Json;
use crate::server::pages::{EntryHtml, PageData, entry_markdown};
use crate::server::state::App;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Entries per page unless `per_page` says otherwise.
pub const DEFAULT_PER_PAGE: usize = 50;
/// Most entries per page.
pub const MAX_PER_PAGE: usize = 500;

/// Filters and paging of `GET /api/v1/errors`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub domain: Option<String>,
    pub category: Option<String>,
    pub tag: Option<String>,
    /// Only entries available in this language, titled in it.
    pub lang: Option<String>,
    /// 1-based.
    pub page: Option<usize>,
    pub per_page: Option<usize>,
}

/// One entry in the list.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub domain: &'a str,
    pub category: &'a str,
    pub tags: &'a [String],
    pub fix_rate: f64,
    pub confidence: f64,
    pub languages: Vec<&'a str>,
    pub url: String,
    pub api_url: String,
    pub md_url: String,
}

/// A page of the list.
#[derive(Debug, Serialize)]
pub struct ListPage<'a> {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub pages: usize,
    pub lang: &'a str,
    pub items: Vec<Summary<'a>>,
}

/// Languages `entry` is available in: English and its translations.
pub fn languages(entry: &Entry) -> Vec<&str> {
    LANGS
        .iter()
        .copied()
        .filter(|l| *l == "en" || entry.translations.contains_key(*l))
        .collect()
}

/// `GET /api/v1/errors`.
pub async fn list(
    State(app): State<Arc<App>>,
    Q(q): Q<ListQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let filter_lang = q.lang.as_deref().map(parse_lang).transpose()?;
    let lang = negotiate(q.lang.as_deref(), &headers)?;
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(DEFAULT_PER_PAGE);
    if page == 0 || per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(AppError::new(
            Kind::InvalidParameter,
            format!("page starts at 1 and per_page is in 1..={MAX_PER_PAGE}"),
        ));
    }
    let matching: Vec<&Entry> = app
        .catalog
        .entries()
        .iter()
        .filter(|e| q.domain.as_ref().is_none_or(|d| &e.meta.domain == d))
        .filter(|e| q.category.as_ref().is_none_or(|c| &e.meta.category == c))
        .filter(|e| q.tag.as_ref().is_none_or(|t| e.meta.tags.contains(t)))
        .filter(|e| filter_lang.is_none_or(|l| l == "en" || e.translations.contains_key(l)))
        .collect();
    let total = matching.len();
    let items = matching
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|e| Summary {
            id: &e.meta.id,
            title: e
                .translations
                .get(lang)
                .and_then(|t| t.meta.title.as_deref())
                .unwrap_or(&e.meta.title),
            domain: &e.meta.domain,
            category: &e.meta.category,
            tags: &e.meta.tags,
            fix_rate: e.meta.fix_rate,
            confidence: e.meta.confidence,
            languages: languages(e),
            url: app.page_url(&e.meta.id, lang),
            api_url: app.api_url(&e.meta.id, lang),
            md_url: app.md_url(&e.meta.id, lang),
        })
        .collect();
    let body = ListPage {
        total,
        page,
        per_page,
        pages: total.div_ceil(per_page),
        lang,
        items,
    };
    Ok(vary(Json(body).into_response()))
}

/// `?lang=` of the entry routes.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    pub lang: Option<String>,
}

/// The whole entry as JSON: its localized content plus patterns and examples.
#[derive(Debug, Serialize)]
pub struct EntryJson<'a> {
    #[serde(flatten)]
    pub entry: Localized,
    pub patterns: &'a [Pattern],
    pub examples: &'a [Example],
    pub counter_examples: &'a [Example],
    pub url: String,
    pub api_url: String,
    pub md_url: String,
}

/// The JSON of `entry` in `lang`.
pub fn entry_json<'a>(app: &App, entry: &'a Entry, lang: &str) -> EntryJson<'a> {
    let id = &entry.meta.id;
    EntryJson {
        entry: localize(entry, lang),
        patterns: &entry.meta.patterns,
        examples: &entry.meta.examples,
        counter_examples: &entry.meta.counter_examples,
        url: app.page_url(id, lang),
        api_url: app.api_url(id, lang),
        md_url: app.md_url(id, lang),
    }
}

/// `GET /api/v1/errors/{id}`.
pub async fn get(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Q(q): Q<LangQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = negotiate(q.lang.as_deref(), &headers)?;
    let (_, entry) = app.entry(&id)?;
    Ok(vary(Json(entry_json(&app, entry, lang)).into_response()))
}

/// `GET /errors/{id}.json` and `GET /errors/{id}.md`.
pub async fn file(
    State(app): State<Arc<App>>,
    Path(file): Path<String>,
    Q(q): Q<LangQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = negotiate(q.lang.as_deref(), &headers)?;
    if let Some(id) = file.strip_suffix(".json") {
        let (_, entry) = app.entry(id)?;
        return Ok(vary(Json(entry_json(&app, entry, lang)).into_response()));
    }
    if let Some(id) = file.strip_suffix(".md") {
        let (index, entry) = app.entry(id)?;
        let localized = localize(entry, lang);
        let rendered = app.rendered(index, lang);
        let page = PageData::new(&app, entry, &localized, &rendered, lang);
        let response = (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/markdown; charset=utf-8"),
            )],
            entry_markdown(&page),
        );
        return Ok(vary(response.into_response()));
    }
    Err(AppError::new(
        Kind::NotFound,
        "entries are at /errors/{id}.json and /errors/{id}.md",
    ))
}

/// `GET /{lang}/errors/{id}/`: the HTML page; without the final `/` a permanent
/// redirect to it.
pub async fn page(
    State(app): State<Arc<App>>,
    Path((lang, rest)): Path<(String, String)>,
) -> AppResult<Response> {
    let Some(lang) = LANGS.iter().copied().find(|l| *l == lang) else {
        return Err(AppError::new(
            Kind::NotFound,
            format!(
                "no pages in language `{lang}`; use one of {}",
                LANGS.join(", ")
            ),
        ));
    };
    let (id, canonical) = match rest.strip_suffix('/') {
        Some(id) => (id, true),
        None => (rest.as_str(), false),
    };
    let (index, entry) = app.entry(id)?;
    if !canonical {
        // Built from the catalog's id, not from the request.
        return Ok(Redirect::permanent(&app.page_url(&entry.meta.id, lang)).into_response());
    }
    let localized = localize(entry, lang);
    let rendered = app.rendered(index, lang);
    let page = PageData::new(&app, entry, &localized, &rendered, lang);
    let html = EntryHtml { p: &page }
        .render()
        .map_err(|e| AppError::internal(format!("cannot render the page of {id}: {e}")))?;
    let mut response = Html(html).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    Ok(response)
}

/// Marks a response as depending on `Accept-Language`.
fn vary(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-language"));
    response
}
