//! The matcher's fuzzy fallback: one log line against the signature and title of every
//! entry in every language.
//!
//! Signatures and titles are short and few (a few thousand, a dozen words each), and a
//! log line has dozens of words; a tantivy disjunction of every (word, field) pair
//! spends its time in block-WAND bookkeeping (about 1 ms a line at 2,000 entries). So
//! this is a small BM25 index of its own, built next to the tantivy one: postings with
//! precomputed weights per (language, field), scores summed into an array. Same
//! formula as tantivy (k1 = 1.2, b = 0.75), statistics per language and field.
//!
//! The line is not parsed as a query. It is cut to [`MAX_LINE_BYTES`], its variables
//! masked with [`crate::logtext::mask`] (idempotent: masked and raw lines alike) and the
//! placeholders dropped, then tokenized with each language's analyzer; numbers and hex
//! hashes are ignored. Signatures go through the same steps for their self-score, so a
//! line that differs from a signature only in variables covers it fully.
//!
//! A translation's signature and title are indexed only when they differ from the
//! English ones: an English fallback would only repeat the English document.

use super::text::DocText;
use super::{Index, schema};
use crate::catalog::LANGS;
use crate::logtext::mask::mask;
use crate::logtext::truncate;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use tantivy::tokenizer::TextAnalyzer;

/// Only this many bytes of a line are read.
pub const MAX_LINE_BYTES: usize = 4096;
/// Only this many distinct terms of a line (per analyzer) are searched.
const MAX_TERMS: usize = 64;
/// Hits beyond this many are never returned, whatever the caller asks.
const MAX_LIMIT: usize = 1000;
/// A signature word counts this much...
const SIGNATURE_BOOST: f32 = 1.0;
/// ...and a title word this much.
const TITLE_BOOST: f32 = 0.5;
/// BM25 term-frequency saturation.
const K1: f32 = 1.2;
/// BM25 length normalisation.
const B: f32 = 0.75;

/// A catalog entry whose signature resembles a log line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignatureMatch {
    /// Entry id.
    pub id: String,
    /// Language of the document that matched best (`en` unless the line is localized).
    pub lang: String,
    /// BM25 score of the line against that document's signature (weight 1) and title
    /// (weight 0.5). Rewards rare words; comparable only between hits of one line.
    pub score: f32,
    /// The score the document's own signature gets against it (for a translation
    /// without a signature of its own: its title): what a line containing it scores.
    pub self_score: f32,
    /// `min(1, score / self_score)`: the share of the signature found in the line, each
    /// word weighted by how rare it is among the catalog's signatures (BM25 IDF). 1.0
    /// means every signature word (bar variables: numbers, paths, quoted names...) is
    /// in the line, 0.5 that the words found carry half the signature's weight. Words
    /// of the line that are not in the signature do not lower it; title words it
    /// matches beyond the signature's can only raise it (capped at 1).
    pub coverage: f32,
}

/// Term -> (document ord, BM25 weight), ords ascending.
type Postings = HashMap<String, Vec<(u32, f32)>>;

/// The in-memory BM25 index of signatures and titles.
pub struct SignatureIndex {
    /// By language (order of [`LANGS`]): signature postings, title postings.
    postings: Vec<[Postings; 2]>,
    /// Analyzer per language (order of [`LANGS`]).
    analyzers: Vec<TextAnalyzer>,
    /// Self-score per document ord.
    self_scores: Vec<f32>,
}

impl SignatureIndex {
    /// Indexes the signatures and titles of `docs` (grouped by entry, English first).
    pub fn build(docs: &[DocText]) -> SignatureIndex {
        let analyzers: Vec<TextAnalyzer> = LANGS.iter().map(|l| schema::analyzer(l)).collect();
        // The text each document contributes to each field, if any.
        let mut english: (&str, &str) = ("", "");
        let texts: Vec<[Option<&str>; 2]> = docs
            .iter()
            .map(|doc| {
                if doc.lang == 0 {
                    english = (&doc.signature, &doc.title);
                    return [Some(doc.signature.as_str()), Some(doc.title.as_str())];
                }
                [
                    (doc.signature != english.0).then_some(doc.signature.as_str()),
                    (doc.title != english.1).then_some(doc.title.as_str()),
                ]
            })
            .collect();

        let mut postings: Vec<[Postings; 2]> = LANGS.iter().map(|_| Default::default()).collect();
        for (lang, analyzer) in analyzers.iter().enumerate() {
            for (field, boost) in [(0, SIGNATURE_BOOST), (1, TITLE_BOOST)] {
                // Term frequencies and length of each document's text.
                let mut counted: Vec<(u32, HashMap<String, u32>, u32)> = Vec::new();
                for (ord, doc) in docs.iter().enumerate() {
                    let Some(text) = texts[ord][field].filter(|_| doc.lang == lang) else {
                        continue;
                    };
                    let mut tf: HashMap<String, u32> = HashMap::new();
                    let mut len = 0;
                    for_each_token(analyzer, text, |t| {
                        *tf.entry(t.to_string()).or_default() += 1;
                        len += 1;
                    });
                    counted.push((ord as u32, tf, len));
                }
                let n = counted.len() as f32;
                let avg_len = counted.iter().map(|c| c.2 as f32).sum::<f32>() / n.max(1.0);
                let mut df: HashMap<&str, u32> = HashMap::new();
                for (_, tf, _) in &counted {
                    for term in tf.keys() {
                        *df.entry(term).or_default() += 1;
                    }
                }
                let target = &mut postings[lang][field];
                for (ord, tf, len) in &counted {
                    let norm = K1 * (1.0 - B + B * *len as f32 / avg_len.max(1.0));
                    for (term, &count) in tf {
                        let df = df[term.as_str()] as f32;
                        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                        let tf = count as f32;
                        let weight = boost * idf * tf * (K1 + 1.0) / (tf + norm);
                        target.entry(term.clone()).or_default().push((*ord, weight));
                    }
                }
            }
        }

        let mut index = SignatureIndex {
            postings,
            analyzers,
            self_scores: Vec::new(),
        };
        index.self_scores = docs
            .iter()
            .enumerate()
            .map(|(ord, doc)| {
                let own = texts[ord][0].or(texts[ord][1]).unwrap_or("");
                index.score_one(own, doc.lang, ord as u32)
            })
            .collect();
        index
    }

    /// Scores of every document for `line`, by ord (0 for most).
    fn scores(&self, line: &str, num_docs: usize) -> Vec<f32> {
        let text = prepare(line);
        let mut scores = vec![0.0f32; num_docs];
        let mut tokenized: Vec<(&'static str, Vec<String>)> = Vec::new();
        for (lang, fields) in self.postings.iter().enumerate() {
            if fields.iter().all(HashMap::is_empty) {
                continue;
            }
            let name = schema::analyzer_name(LANGS[lang]);
            if !tokenized.iter().any(|(n, _)| *n == name) {
                tokenized.push((name, line_terms(&self.analyzers[lang], &text)));
            }
            let Some((_, terms)) = tokenized.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            for postings in fields {
                for term in terms {
                    for &(ord, weight) in postings.get(term).map_or(&[][..], Vec::as_slice) {
                        if let Some(score) = scores.get_mut(ord as usize) {
                            *score += weight;
                        }
                    }
                }
            }
        }
        scores
    }

    /// Score of document `ord` (of language `lang`) for `line`.
    fn score_one(&self, line: &str, lang: usize, ord: u32) -> f32 {
        let terms = line_terms(&self.analyzers[lang], &prepare(line));
        let mut score = 0.0;
        for postings in &self.postings[lang] {
            for term in &terms {
                if let Some(list) = postings.get(term)
                    && let Ok(i) = list.binary_search_by_key(&ord, |&(o, _)| o)
                {
                    score += list[i].1;
                }
            }
        }
        score
    }
}

impl Index {
    /// Entries whose signature (or title) resembles the log line `text`, best first,
    /// one per entry: `(id, BM25 score)`. Variables (paths, numbers, hashes, URLs,
    /// quoted names) are masked here, so raw and masked lines give the same result.
    /// Never fails: an empty or odd line finds nothing. See
    /// [`Index::signature_matches`] for a score in [0, 1].
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
        let scores = self.signatures.scores(text, self.docs.len());
        let mut ranked: Vec<(f32, usize)> = scores
            .iter()
            .enumerate()
            .filter(|(_, s)| **s > 0.0 && s.is_finite())
            .map(|(ord, &s)| (s, ord))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut seen = HashSet::new();
        let mut matches = Vec::new();
        for (score, ord) in ranked {
            let doc = &self.docs[ord];
            if !seen.insert(doc.id.as_str()) {
                continue;
            }
            let self_score = self.signatures.self_scores[ord];
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
        Some(self.signatures.self_scores[ord])
    }
}

/// A line cut to [`MAX_LINE_BYTES`], variables masked, placeholders dropped.
fn prepare(line: &str) -> String {
    strip_placeholders(&mask(truncate(line, MAX_LINE_BYTES)))
}

fn for_each_token(analyzer: &TextAnalyzer, text: &str, mut f: impl FnMut(&str)) {
    let mut analyzer = analyzer.clone();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        f(&token.text);
    }
}

/// The distinct searchable terms of `text`, in order, at most [`MAX_TERMS`].
fn line_terms(analyzer: &TextAnalyzer, text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut terms = Vec::new();
    for_each_token(analyzer, text, |token| {
        if terms.len() < MAX_TERMS && !is_variable(token) && seen.insert(token.to_string()) {
            terms.push(token.to_string());
        }
    });
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
