//! Raw CI log in, ranked diagnoses with evidence out.
//!
//! [`Matcher::new`] compiles every pattern of a catalog once ([`patterns`]); each
//! [`Matcher::diagnose`] call streams one log through [`scan`] (normalise, score, match
//! all patterns in one pass) and [`rank`] (combine evidence into a calibrated
//! confidence, apply the catalog's relations, abstain when unsure).

pub mod automaton;
pub mod examples;
pub mod lanes;
pub mod literals;
pub mod patterns;
pub mod rank;
pub mod report;
mod scan;
pub mod words;

pub use rank::ABSTAIN_BELOW;
pub use report::{Diagnosis, ErrorLine, Evidence, MatchKind, Report};

use crate::catalog::Catalog;
use crate::logtext::{Normalizer, input, mask};
use patterns::PatternSet;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::{self, Read};

/// Full-text search of a masked log line against entry signatures; returns entry ids
/// with a similarity in [0, 1], best first. Implemented by the tantivy index.
pub trait FuzzySearch: Sync {
    /// Entries whose signatures the line resembles, best first: id, the share of the
    /// signature the line covers, and the search score (comparable only between the
    /// results for one line).
    fn search(&self, masked_line: &str, limit: usize) -> Vec<(String, f32, f32)>;
}

/// What a diagnosis needs to know of an entry.
#[derive(Debug, Clone)]
pub struct EntryInfo {
    pub id: String,
    pub title: String,
    /// Indexes of entries this one causes (`leads_to`, and entries naming it in
    /// `preceded_by`).
    pub causes: Vec<usize>,
    /// The signature's words, to measure how much a matched line resembles it.
    pub signature: words::Signature,
}

/// Per-call options.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// Most diagnoses returned.
    pub top: usize,
    /// Lines of a passing run of the same job, down-weighted as noise.
    pub baseline: Option<&'a Baseline>,
    /// Fallback used when no pattern matches.
    pub fuzzy: Option<&'a dyn FuzzySearch>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            top: 5,
            baseline: None,
            fuzzy: None,
        }
    }
}

/// The compiled catalog, immutable and shareable across threads.
pub struct Matcher {
    set: PatternSet,
    entries: Vec<EntryInfo>,
    by_id: HashMap<String, usize>,
}

impl Matcher {
    /// Compiles all patterns of `catalog` into one prefiltered set.
    pub fn new(catalog: &Catalog) -> Matcher {
        let by_id: HashMap<String, usize> = catalog
            .entries()
            .iter()
            .enumerate()
            .map(|(i, e)| (e.meta.id.clone(), i))
            .collect();
        let texts: Vec<String> = catalog
            .entries()
            .iter()
            .map(|e| format!("{} {}", e.meta.signature, e.meta.title))
            .collect();
        let weights = words::WordWeights::learn(texts.iter().map(String::as_str));
        let mut entries: Vec<EntryInfo> = catalog
            .entries()
            .iter()
            .map(|e| EntryInfo {
                id: e.meta.id.clone(),
                title: e.meta.title.clone(),
                causes: e
                    .meta
                    .related
                    .leads_to
                    .iter()
                    .filter_map(|id| by_id.get(id).copied())
                    .collect(),
                signature: words::Signature::new(&e.meta.signature, &weights),
            })
            .collect();
        for (i, e) in catalog.entries().iter().enumerate() {
            for cause in e
                .meta
                .related
                .preceded_by
                .iter()
                .filter_map(|id| by_id.get(id))
            {
                if !entries[*cause].causes.contains(&i) {
                    entries[*cause].causes.push(i);
                }
            }
        }
        Matcher {
            set: PatternSet::build(catalog, &weights),
            entries,
            by_id,
        }
    }

    /// Diagnoses one log read from `reader` (text, gzip or a GitHub zip archive).
    pub fn diagnose<R: Read + Send + 'static>(
        &self,
        file: &str,
        reader: R,
        options: &Options<'_>,
    ) -> io::Result<Report> {
        let parts = input::open(reader)?;
        let scanned = scan::Scan::new(&self.set, options.baseline).run(parts)?;
        Ok(rank::rank(self, file, scanned, options))
    }

    /// Diagnoses a log held in memory.
    pub fn diagnose_text(&self, file: &str, text: &str, options: &Options<'_>) -> Report {
        self.diagnose(file, io::Cursor::new(text.as_bytes().to_vec()), options)
            .expect("reading from memory cannot fail for text")
    }

    pub fn entry(&self, index: usize) -> &EntryInfo {
        &self.entries[index]
    }

    /// Index of the entry with `id`.
    pub fn entry_index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// (entry id, pattern index) of patterns without a usable literal: they are tried
    /// only on error-like lines (on every one when they require no literal at all).
    pub fn weak_patterns(&self) -> impl Iterator<Item = (&str, usize)> {
        self.set
            .patterns
            .iter()
            .filter(|p| p.weak)
            .map(|p| (self.entries[p.entry].id.as_str(), p.index))
    }

    pub(crate) fn patterns(&self) -> &PatternSet {
        &self.set
    }
}

/// Normalised, masked lines of a passing run; lines of a failing run found here are
/// noise, not the cause.
#[derive(Debug, Default)]
pub struct Baseline {
    lines: HashSet<u64>,
}

impl Baseline {
    /// Reads a passing log (text, gzip or zip).
    pub fn from_reader<R: Read + Send + 'static>(reader: R) -> io::Result<Baseline> {
        let mut lines = HashSet::new();
        let mut buf = Vec::new();
        for mut part in input::open(reader)? {
            let mut normalizer = Normalizer::new();
            normalizer.start_part(part.step.as_deref());
            let mut number = 0;
            while input::read_line(&mut part.reader, &mut buf)?.is_some() {
                number += 1;
                if let Some(line) = normalizer.line(&buf, number) {
                    lines.insert(line_hash(line.text));
                }
            }
        }
        Ok(Baseline { lines })
    }

    /// Whether a line like `text` (after masking) occurs in the passing run.
    pub fn contains(&self, text: &str) -> bool {
        self.lines.contains(&line_hash(text))
    }
}

fn line_hash(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    mask::mask(text.trim()).hash(&mut h);
    h.finish()
}
