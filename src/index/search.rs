//! User queries: lenient parsing, language filter, per-entry deduplication, snippets.

use super::snippet::{self, lead};
use super::{Error, Index, Result, cjk, schema};
use crate::catalog::LANGS;
use crate::logtext::truncate;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Searcher, Term};

/// Queries longer than this many bytes are cut (a query is typed, not pasted logs).
const MAX_QUERY_BYTES: usize = 2048;
/// Hits beyond this many are never returned, whatever the caller asks.
const MAX_LIMIT: usize = 1000;
/// Snippet length in bytes (tantivy measures fragments in bytes).
const SNIPPET_BYTES: usize = 240;

/// One search result: an entry, in the language of the text that matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// Entry id, e.g. `policy/github-actions-oidc-token-permission-denied`.
    pub id: String,
    /// Language of the matching text (`en`, `zh`, ...).
    pub lang: String,
    /// Title in that language (English when the translation has none). Plain text.
    pub title: String,
    /// BM25 score (see [`Index::search`] for which hits it compares with).
    pub score: f32,
    /// A fragment of the matching text, HTML-escaped, query terms in `<b>...</b>`.
    pub snippet_html: String,
}

impl SearchHit {
    /// The snippet as plain text (tags dropped, entities decoded), for terminals.
    pub fn snippet_text(&self) -> String {
        snippet::html_to_text(&self.snippet_html)
    }
}

impl Index {
    /// Searches the catalog. `query` uses tantivy's query syntax (`oidc OR token`,
    /// `"exact phrase"`, `title_en:oidc`, `tags:npm`, `domain:policy`) but never fails
    /// on it: what cannot be parsed is searched as plain words or ignored. Entries that
    /// contain every word come first, then (to fill `limit`) those that contain some;
    /// each group is ranked by BM25 with title and signature weighing 3, root cause 2,
    /// fixes and body 1. CJK runs are searched as their bigrams.
    ///
    /// With `lang`, only that language's documents are searched (fields a translation
    /// leaves out hold the English text, so English words still find them); an unknown
    /// language finds nothing. Without it, the query's script picks the languages, in
    /// order: Han or Kana: zh, ko; Hangul: ko, zh; Cyrillic: ru, en; otherwise en, de,
    /// pt. Later languages only add entries not found yet, because BM25 scores of
    /// different languages' fields are not comparable (and translations repeat the
    /// English text they leave out, so an English query would otherwise find them).
    /// Each entry appears once. At most `limit` hits, in that order: all-words hits of
    /// each language, then some-words hits; `score` is comparable only within a run
    /// of one language and one kind.
    pub fn search(&self, query: &str, lang: Option<&str>, limit: usize) -> Result<Vec<SearchHit>> {
        let limit = limit.min(MAX_LIMIT);
        if limit == 0 || self.docs.is_empty() {
            return Ok(Vec::new());
        }
        let text = cjk::split_query_runs(&defuse(truncate(query, MAX_QUERY_BYTES)));
        let langs = match lang {
            Some(code) => match schema::lang_index(code) {
                Some(lang) => vec![lang],
                None => return Ok(Vec::new()),
            },
            None => languages_for(&text),
        };
        let searcher = self.reader.searcher();
        let mut found = Found {
            hits: Vec::new(),
            seen: HashSet::new(),
            limit,
        };
        for conjunction in [true, false] {
            for &lang in &langs {
                if found.hits.len() == limit {
                    return Ok(found.hits);
                }
                let parser = if conjunction {
                    &self.and_parsers[lang]
                } else {
                    &self.or_parsers[lang]
                };
                self.search_pass(&searcher, parser, &text, lang, &mut found)?;
            }
        }
        Ok(found.hits)
    }

    /// One language, one parser: adds the hits of entries not found yet.
    fn search_pass(
        &self,
        searcher: &Searcher,
        parser: &QueryParser,
        text: &str,
        lang: usize,
        found: &mut Found,
    ) -> Result<()> {
        let Found { hits, seen, limit } = found;
        let limit = *limit;
        let (parsed, _errors) = parser.parse_query_lenient(text);
        // Raw-field queries (`tags:npm`, `*`) would match every language: filter.
        let term = Term::from_field_text(self.fields.lang, LANGS[lang]);
        let filter = TermQuery::new(term, IndexRecordOption::Basic);
        let query = BooleanQuery::new(vec![
            (Occur::Must, parsed),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(filter), 0.0)),
            ),
        ]);
        // One document per entry and language, and `seen` holds as many entries as
        // `hits`: `limit` documents hold `limit - hits.len()` new entries if there are.
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
            .map_err(Error::Search)?;
        let mut snippets = Snippets::new(searcher, &query);
        for (score, address) in top {
            if hits.len() == limit {
                break;
            }
            let Some(ord) = self.ord_of(address) else {
                continue;
            };
            let doc = &self.docs[ord];
            if !score.is_finite() || seen.contains(&doc.id) {
                continue;
            }
            seen.insert(doc.id.clone());
            let fields = &self.fields.langs[doc.lang];
            let candidates = [
                (fields.root_cause, doc.root_cause.as_str()),
                (fields.body, doc.body.as_str()),
                (fields.fixes, doc.fixes.as_str()),
                (fields.signature, doc.signature.as_str()),
            ];
            let snippet_html = snippets.best(&candidates).unwrap_or_else(|| {
                let mut html = String::new();
                snippet::escape_into(&lead(&doc.root_cause, SNIPPET_BYTES), &mut html);
                html
            });
            hits.push(SearchHit {
                id: doc.id.clone(),
                lang: LANGS[doc.lang].to_string(),
                title: doc.title.clone(),
                score,
                snippet_html,
            });
        }
        Ok(())
    }
}

/// Hits collected over the passes of one search.
struct Found {
    hits: Vec<SearchHit>,
    /// Ids of `hits`.
    seen: HashSet<String>,
    limit: usize,
}

/// The languages a query without `lang` searches, in order, from its script: Han or
/// Kana: zh, ko; Hangul: ko, zh; Cyrillic: ru, en; anything else: en, de, pt.
fn languages_for(query: &str) -> Vec<usize> {
    let (mut han, mut hangul, mut cyrillic) = (false, false, false);
    for c in query.chars() {
        match u32::from(c) {
            0x1100..=0x11FF | 0x3130..=0x318F | 0xA960..=0xA97F | 0xAC00..=0xD7FF => hangul = true,
            0x0400..=0x052F => cyrillic = true,
            _ if cjk::is_cjk(c) => han = true,
            _ => {}
        }
    }
    let codes: &[&str] = if hangul && !han {
        &["ko", "zh"]
    } else if han || hangul {
        &["zh", "ko"]
    } else if cyrillic {
        &["ru", "en"]
    } else {
        &["en", "de", "pt"]
    };
    codes.iter().filter_map(|c| schema::lang_index(c)).collect()
}

/// Deepest nesting of groups and `NOT`s the query parser is given.
const MAX_NESTING: usize = 8;

/// `query` made safe for tantivy's recursive-descent query parser, which overflows the
/// stack on a few hundred nested `(` or `NOT`: beyond [`MAX_NESTING`] parentheses
/// become spaces and `NOT` a plain word.
fn defuse(query: &str) -> Cow<'_, str> {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for b in query.bytes() {
        match b {
            b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let nots = query.matches("NOT").count();
    if deepest <= MAX_NESTING && nots <= MAX_NESTING {
        return Cow::Borrowed(query);
    }
    let mut safe = query.to_string();
    if deepest > MAX_NESTING {
        safe = safe.replace(['(', ')'], " ");
    }
    if nots > MAX_NESTING {
        safe = safe.replace("NOT", "not");
    }
    Cow::Owned(safe)
}

/// Snippet generators for one query, made per field when first needed.
struct Snippets<'a> {
    searcher: &'a Searcher,
    query: &'a dyn Query,
    generators: HashMap<Field, Option<SnippetGenerator>>,
}

impl<'a> Snippets<'a> {
    fn new(searcher: &'a Searcher, query: &'a dyn Query) -> Snippets<'a> {
        Snippets {
            searcher,
            query,
            generators: HashMap::new(),
        }
    }

    /// HTML of the snippet with the most highlighted words among `candidates` (the
    /// first one on a tie), or `None` when no query term occurs in any of them.
    fn best(&mut self, candidates: &[(Field, &str)]) -> Option<String> {
        let mut best: Option<(usize, String)> = None;
        for &(field, text) in candidates {
            if text.is_empty() {
                continue;
            }
            let generator = self.generators.entry(field).or_insert_with(|| {
                SnippetGenerator::create(self.searcher, self.query, field)
                    .ok()
                    .map(|mut g| {
                        g.set_max_num_chars(SNIPPET_BYTES);
                        g
                    })
            });
            let Some(generator) = generator else {
                continue;
            };
            let snippet = generator.snippet(text);
            let fragment = snippet.fragment();
            let words: HashSet<String> = snippet
                .highlighted()
                .iter()
                .filter_map(|r| fragment.get(r.clone()))
                .map(str::to_lowercase)
                .collect();
            if !words.is_empty() && best.as_ref().is_none_or(|(n, _)| words.len() > *n) {
                best = Some((
                    words.len(),
                    snippet::to_html(fragment, snippet.highlighted()),
                ));
            }
        }
        best.map(|(_, html)| html)
    }
}

#[cfg(test)]
mod tests {
    use super::{defuse, languages_for};
    use crate::catalog::LANGS;

    fn codes(query: &str) -> Vec<&'static str> {
        languages_for(query).into_iter().map(|l| LANGS[l]).collect()
    }

    #[test]
    fn script_picks_languages() {
        assert_eq!(codes("permission denied"), ["en", "de", "pt"]);
        assert_eq!(codes("Berechtigung verweigert"), ["en", "de", "pt"]);
        assert_eq!(codes("OIDC 令牌"), ["zh", "ko"]);
        assert_eq!(codes("토큰 권한"), ["ko", "zh"]);
        assert_eq!(codes("доступ запрещён"), ["ru", "en"]);
        assert_eq!(codes(""), ["en", "de", "pt"]);
    }

    #[test]
    fn defuse_keeps_ordinary_queries() {
        assert_eq!(defuse("(a OR b) AND NOT c"), "(a OR b) AND NOT c");
    }

    #[test]
    fn defuse_flattens_deep_nesting() {
        let deep = format!("{}x", "(".repeat(9));
        assert_eq!(defuse(&deep).trim(), "x");
        let nots = "NOT ".repeat(9);
        assert!(!defuse(&nots).contains("NOT"));
    }
}
