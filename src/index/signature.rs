//! The matcher's fuzzy fallback: one log line against the signature and title of every
//! entry in every language.
//!
//! The line is not parsed as a query. It is cut to [`MAX_LINE_BYTES`], its variables
//! masked with [`crate::logtext::mask`] (idempotent, so masked and raw lines alike) and
//! the placeholders dropped, then tokenized with each language's analyzer and searched
//! as a disjunction of terms, so no text can make it fail. Signatures go through the
//! same steps for their self-score, so a line that differs from a signature only in
//! variables covers it fully.

use super::{Index, truncate};
use crate::catalog::LANGS;
use crate::logtext::mask::mask;
use serde::Serialize;
use std::collections::HashSet;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Searcher, Term};

/// Only this many bytes of a line are read.
pub const MAX_LINE_BYTES: usize = 4096;
/// Only this many distinct terms of a line (per language) are searched.
const MAX_TERMS: usize = 64;
/// Hits beyond this many are never returned, whatever the caller asks.
const MAX_LIMIT: usize = 1000;
/// A signature word counts this much...
const SIGNATURE_BOOST: f32 = 1.0;
/// ...and a title word this much.
const TITLE_BOOST: f32 = 0.5;

/// A catalog entry whose signature resembles a log line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignatureMatch {
    /// Entry id.
    pub id: String,
    /// Language of the signature that matched best (`en` unless the line is localized).
    pub lang: String,
    /// BM25 score of the line against that document's signature (weight 1) and title
    /// (weight 0.5). Rewards rare words; comparable only between hits of one line.
    pub score: f32,
    /// The score the document's own signature gets against it: what a line that
    /// contains the whole signature scores.
    pub self_score: f32,
    /// `min(1, score / self_score)`: the share of the signature found in the line, each
    /// word weighted by how rare it is in the catalog (BM25 IDF). 1.0 means every
    /// signature word (bar numbers and hashes) is in the line, 0.5 that the words found
    /// carry half the signature's weight. Words of the line that are not in the
    /// signature do not lower it. 0 when the signature has no searchable words.
    pub coverage: f32,
}

impl Index {
    /// Entries whose signature (or title) resembles the log line `text`, best first,
    /// one per entry: `(id, BM25 score)`. Mask variables (paths, numbers, hashes, URLs)
    /// before calling; numbers and hex hashes are ignored here anyway. Never fails: an
    /// empty or odd line finds nothing. See [`Index::signature_matches`] for a
    /// confidence-like score.
    pub fn match_signatures(&self, text: &str, limit: usize) -> Vec<(String, f32)> {
        self.signature_matches(text, limit)
            .into_iter()
            .map(|m| (m.id, m.score))
            .collect()
    }

    /// Like [`Index::match_signatures`], with the matching language and
    /// [`SignatureMatch::coverage`], a normalised score in [0, 1]. Ordered by
    /// `score` (which favours rare, specific words), not by coverage.
    pub fn signature_matches(&self, text: &str, limit: usize) -> Vec<SignatureMatch> {
        let limit = limit.min(MAX_LIMIT);
        if limit == 0 || self.docs.is_empty() {
            return Vec::new();
        }
        let searcher = self.reader.searcher();
        let Some(query) = self.signature_query(text) else {
            return Vec::new();
        };
        let collector = TopDocs::with_limit(limit * LANGS.len()).order_by_score();
        let top = match searcher.search(&query, &collector) {
            Ok(top) => top,
            Err(err) => {
                tracing::warn!("signature search failed: {err}");
                return Vec::new();
            }
        };
        let mut seen = HashSet::new();
        let mut matches = Vec::new();
        for (score, address) in top {
            let Some(ord) = self.ord_of(address) else {
                continue;
            };
            let doc = &self.docs[ord];
            if !score.is_finite() || !seen.insert(doc.id.as_str()) {
                continue;
            }
            let self_score = self.doc_self_score(&searcher, ord);
            let coverage = if self_score > 0.0 {
                (score / self_score).clamp(0.0, 1.0)
            } else {
                0.0
            };
            matches.push(SignatureMatch {
                id: doc.id.clone(),
                lang: LANGS[doc.lang].to_string(),
                score,
                self_score,
                coverage,
            });
            if matches.len() == limit {
                break;
            }
        }
        matches
    }

    /// The score the English signature of entry `id` gets against itself (the
    /// denominator of [`SignatureMatch::coverage`]), or `None` for an unknown id.
    pub fn self_score(&self, id: &str) -> Option<f32> {
        // Documents follow the catalog's id order, each entry's English one first.
        let ord = self.docs.partition_point(|d| d.id.as_str() < id);
        self.docs.get(ord).filter(|d| d.id == id && d.lang == 0)?;
        Some(self.doc_self_score(&self.reader.searcher(), ord))
    }

    fn doc_self_score(&self, searcher: &Searcher, ord: usize) -> f32 {
        *self.self_scores[ord]
            .get_or_init(|| self.score_of(searcher, &self.docs[ord].signature, ord))
    }

    /// Score of document `ord` for the signature query of `text` (0 if it does not match).
    fn score_of(&self, searcher: &Searcher, text: &str, ord: usize) -> f32 {
        let Some(query) = self.signature_query(text) else {
            return 0.0;
        };
        let address = self.addresses[ord];
        let scorer = query
            .weight(EnableScoring::enabled_from_searcher(searcher))
            .and_then(|w| w.scorer(searcher.segment_reader(address.segment_ord), 1.0));
        let mut scorer = match scorer {
            Ok(scorer) => scorer,
            Err(err) => {
                tracing::warn!("signature self-score failed: {err}");
                return 0.0;
            }
        };
        let mut doc = scorer.doc();
        if doc < address.doc_id {
            doc = scorer.seek(address.doc_id);
        }
        if doc == address.doc_id {
            scorer.score()
        } else {
            0.0
        }
    }

    /// A disjunction of the line's terms over every language's signature and title
    /// fields; `None` when no term occurs in the index.
    fn signature_query(&self, text: &str) -> Option<BooleanQuery> {
        let masked = mask(truncate(text, MAX_LINE_BYTES));
        let text = strip_placeholders(&masked);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut tokenized: Vec<(&'static str, Vec<String>)> = Vec::new();
        for (lang, fields) in self.fields.langs.iter().enumerate() {
            let name = super::schema::analyzer_name(LANGS[lang]);
            let terms = match tokenized.iter().find(|(n, _)| *n == name) {
                Some((_, terms)) => terms.clone(),
                None => {
                    let terms = line_terms(&self.analyzers[lang], &text);
                    tokenized.push((name, terms.clone()));
                    terms
                }
            };
            let known = &self.signature_terms[lang];
            for word in &terms {
                for (k, field, boost) in [
                    (0, fields.signature, SIGNATURE_BOOST),
                    (1, fields.title, TITLE_BOOST),
                ] {
                    if !known[k].contains(word) {
                        continue;
                    }
                    let term = Term::from_field_text(field, word);
                    let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(query), boost)),
                    ));
                }
            }
        }
        (!clauses.is_empty()).then(|| BooleanQuery::new(clauses))
    }
}

/// The distinct searchable terms of `text`, in order, at most [`MAX_TERMS`].
fn line_terms(analyzer: &tantivy::tokenizer::TextAnalyzer, text: &str) -> Vec<String> {
    let mut analyzer = analyzer.clone();
    let mut stream = analyzer.token_stream(text);
    let mut seen = HashSet::new();
    let mut terms = Vec::new();
    while let Some(token) = stream.next() {
        if terms.len() == MAX_TERMS {
            break;
        }
        if !is_variable(&token.text) && seen.insert(token.text.clone()) {
            terms.push(token.text.clone());
        }
    }
    terms
}

/// Placeholders that [`mask`] puts in place of variables.
const PLACEHOLDERS: [&str; 8] = [
    "<url>", "<arn>", "<uuid>", "<q>", "<path>", "<hex>", "<ver>", "<n>",
];

/// `text` with every mask placeholder replaced by a space: they are not words.
fn strip_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match PLACEHOLDERS.iter().find(|p| tail.starts_with(*p)) {
            Some(p) => {
                out.push(' ');
                rest = &tail[p.len()..];
            }
            None => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Numbers and hex hashes change from run to run; they say nothing about the error.
fn is_variable(token: &str) -> bool {
    let digits = token.bytes().filter(u8::is_ascii_digit).count();
    digits == token.len()
        || (token.len() >= 7 && digits > 0 && token.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::{is_variable, strip_placeholders};

    #[test]
    fn strips_placeholders_only() {
        assert_eq!(
            strip_placeholders("write <path>: no <n> <b>space</b> <q>"),
            "write  : no   <b>space</b>  "
        );
    }

    #[test]
    fn numbers_and_hashes_are_variables() {
        assert!(is_variable("403"));
        assert!(is_variable("3f2a9c1"));
        assert!(is_variable("deadbeef00"));
        assert!(!is_variable("ts2307"));
        assert!(!is_variable("e404"));
        assert!(!is_variable("deadbeef"));
        assert!(!is_variable("token"));
    }
}
