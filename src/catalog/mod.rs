//! The catalog: error entries kept as Markdown files with TOML front matter.
//!
//! [`load`] walks one or more catalog directories, parses every entry and translation
//! ([`parse`]), checks their meaning ([`validate`]) and returns a [`Catalog`] together
//! with every [`Problem`] found, so `logdoc check` can report all of them at once.

mod load;
pub use load::Loaded;
mod locate;
pub mod model;
mod parse;
mod problem;
mod requirement;
pub mod validate;

pub use load::load;
pub use model::*;
pub use problem::{Problem, Severity};
pub use requirement::Requirement;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// The languages the catalog and the site speak; English is the source language.
pub const LANGS: [&str; 6] = ["en", "zh", "de", "ru", "pt", "ko"];

/// One entry: its front matter, Markdown body and translations.
#[derive(Debug, Clone)]
pub struct Entry {
    pub meta: EntryMeta,
    /// Markdown body: the long explanation.
    pub body: String,
    /// The file the entry was read from.
    pub path: PathBuf,
    /// Translations by language code (never `en`).
    pub translations: BTreeMap<String, Translation>,
}

impl Entry {
    /// The line of a front-matter key path such as `examples[1]` in the entry's file.
    pub fn key_line(&self, key: &str) -> Option<usize> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        let split = parse::split(&text).ok()?;
        Some(locate::Locator::new(split.front, split.front_line).line(key))
    }
}

/// A translation of an entry's text into one language.
#[derive(Debug, Clone)]
pub struct Translation {
    pub meta: TranslationMeta,
    pub body: String,
    pub path: PathBuf,
}

/// A loaded catalog: entries sorted by id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
}

impl Catalog {
    /// Builds a catalog from entries with distinct ids, sorting them by id.
    pub fn new(mut entries: Vec<Entry>) -> Catalog {
        entries.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.meta.id.clone(), i))
            .collect();
        Catalog { entries, by_id }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
