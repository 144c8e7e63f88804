//! [`App`]: everything a handler reads, built once at start and shared as `Arc<App>`:
//! the catalog, its matcher and search index, the configuration, the counters, and
//! the two pieces of mutable state (diagnose slots, the shutting-down flag).

use super::config::Config;
use super::error::{AppError, AppResult, Kind};
use super::metrics::{InFlight, Metrics};
use super::pages::Rendered;
use crate::catalog::{Catalog, Entry, LANGS};
use crate::index::Index;
use crate::matcher::Matcher;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The shared, immutable server state.
pub struct App {
    pub config: Config,
    pub catalog: Catalog,
    pub matcher: Matcher,
    pub index: Index,
    pub metrics: Metrics,
    /// The `--database` URL, accepted and not used yet.
    pub database: Option<String>,
    slots: Arc<Semaphore>,
    draining: AtomicBool,
    /// Entry pages' Markdown rendered to sanitized HTML, per entry and language,
    /// rendered when first asked for.
    rendered: Vec<[OnceLock<Arc<Rendered>>; LANGS.len()]>,
    llms_txt: OnceLock<String>,
}

impl App {
    /// Compiles the matcher and builds the search index for `catalog`.
    pub fn new(catalog: Catalog, config: Config) -> anyhow::Result<App> {
        let matcher = Matcher::new(&catalog);
        let index = Index::build(&catalog)?;
        let metrics = Metrics::new(catalog.len());
        let rendered = catalog
            .entries()
            .iter()
            .map(|_| std::array::from_fn(|_| OnceLock::new()))
            .collect();
        Ok(App {
            slots: Arc::new(Semaphore::new(config.max_diagnoses.max(1))),
            config,
            catalog,
            matcher,
            index,
            metrics,
            database: None,
            draining: AtomicBool::new(false),
            rendered,
            llms_txt: OnceLock::new(),
        })
    }

    /// The entry with `id` and its position in the catalog; ids from requests are
    /// only ever looked up here, never used to build a path.
    pub fn entry(&self, id: &str) -> AppResult<(usize, &Entry)> {
        self.matcher
            .entry_index(id)
            .and_then(|i| Some((i, self.catalog.entries().get(i)?)))
            .filter(|(_, e)| e.meta.id == id)
            .ok_or_else(|| AppError::no_entry(id))
    }

    /// The rendered Markdown of entry `index` in `lang`, made on first use.
    pub fn rendered(&self, index: usize, lang: &str) -> Arc<Rendered> {
        let slot = LANGS.iter().position(|l| *l == lang).unwrap_or(0);
        self.rendered[index][slot]
            .get_or_init(|| {
                let entry = &self.catalog.entries()[index];
                Arc::new(Rendered::new(&crate::render::localize(entry, lang)))
            })
            .clone()
    }

    /// `/llms.txt`, made on first use.
    pub fn llms_txt(&self) -> &str {
        self.llms_txt
            .get_or_init(|| super::handlers::machine::llms_txt(self))
    }

    /// Admits a diagnose request (429 when `max_diagnoses + diagnose_queue` are
    /// already admitted); the ticket counts it until dropped.
    pub fn admit(&self) -> AppResult<InFlight<'_>> {
        let limit = self.config.max_diagnoses.max(1) + self.config.diagnose_queue;
        self.metrics.admit(limit).ok_or_else(|| {
            AppError::new(
                Kind::TooManyRequests,
                format!("{limit} diagnose requests are already running or waiting; retry later"),
            )
        })
    }

    /// Waits for one of the `max_diagnoses` slots of the blocking pool.
    pub async fn slot(&self) -> AppResult<OwnedSemaphorePermit> {
        self.slots
            .clone()
            .acquire_owned()
            .await
            .map_err(AppError::internal)
    }

    /// Marks the server as shutting down: new requests get 503.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::Release);
    }

    /// Whether the server is shutting down.
    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    /// The link prefix for `url` and `api_url`.
    pub fn base(&self) -> &str {
        self.config.public_url.trim_end_matches('/')
    }

    /// The HTML page of entry `id` in `lang`.
    pub fn page_url(&self, id: &str, lang: &str) -> String {
        format!("{}/{lang}/errors/{id}/", self.base())
    }

    /// The JSON of entry `id`, with `?lang=` unless English.
    pub fn api_url(&self, id: &str, lang: &str) -> String {
        if lang == "en" {
            format!("{}/api/v1/errors/{id}", self.base())
        } else {
            format!("{}/api/v1/errors/{id}?lang={lang}", self.base())
        }
    }

    /// The Markdown of entry `id`, with `?lang=` unless English.
    pub fn md_url(&self, id: &str, lang: &str) -> String {
        if lang == "en" {
            format!("{}/errors/{id}.md", self.base())
        } else {
            format!("{}/errors/{id}.md?lang={lang}", self.base())
        }
    }
}
