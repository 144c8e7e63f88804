//! The full-text index of the catalog: tantivy, in RAM, multilingual.
//!
//! [`Index::build`] turns a [`Catalog`] into an index once at start; it is immutable
//! afterwards and meant to be shared by `Arc`. It holds one document per entry and
//! language: English plus every translation, each field a translation leaves out taken
//! from English (`text.rs`). Text fields exist per language so each gets its analyzer
//! (`schema.rs`): stemmed words for en, de, ru and pt, character bigrams for zh and ko
//! (`cjk.rs`).
//!
//! Two ways in:
//! - [`Index::search`]: user queries (the docs site, `/api/v1/search`, `logdoc search`),
//!   parsed leniently, ranked by BM25 with title and signature counting most, with an
//!   HTML snippet per hit.
//! - [`Index::match_signatures`]: the matcher's fuzzy fallback, a log line against the
//!   signatures (and titles) of every language, with [`SignatureMatch::coverage`] as a
//!   score in [0, 1]. It has a small BM25 index of its own (`signature.rs`), built from
//!   the same documents.
//!
//! ```
//! use logdoc::catalog::Catalog;
//! use logdoc::index::Index;
//!
//! let index = Index::build(&Catalog::default()).unwrap();
//! assert!(index.search("permission denied", None, 10).unwrap().is_empty());
//! assert!(index.match_signatures("Error: 403 ((", 5).is_empty());
//! ```

mod cjk;
mod schema;
mod search;
mod signature;
mod snippet;
mod text;

pub use search::SearchHit;
pub use signature::SignatureMatch;

use crate::catalog::{Catalog, LANGS};
use schema::Fields;
use signature::SignatureIndex;
use tantivy::query::QueryParser;
use tantivy::schema::TantivyDocument;
use tantivy::{DocAddress, IndexReader, IndexWriter, ReloadPolicy};
use text::DocText;

/// Memory the writer may use while building (tantivy requires at least 15 MB).
const WRITER_MEMORY: usize = 32 << 20;

/// Query boost of the id's words (title and signature: 3, root cause: 2).
const ID_WORDS_BOOST: f32 = 2.0;

/// What can go wrong in the index. User input never does: only tantivy failures.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot build the search index")]
    Build(#[source] tantivy::TantivyError),
    #[error("search failed")]
    Search(#[source] tantivy::TantivyError),
}

/// `Result` with this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The catalog's full-text index. Cheap to query from many threads at once.
pub struct Index {
    reader: IndexReader,
    fields: Fields,
    /// Parsers over one language's text fields, in the order of [`LANGS`], joining
    /// words with AND...
    and_parsers: Vec<QueryParser>,
    /// ...and with OR.
    or_parsers: Vec<QueryParser>,
    /// The text of each document, by its `ord`.
    docs: Vec<DocText>,
    /// `ord` of each document, by segment ordinal and doc id.
    ords: Vec<Vec<u32>>,
    /// The signature matcher's own BM25 index.
    signatures: SignatureIndex,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("documents", &self.docs.len())
            .finish_non_exhaustive()
    }
}

impl Index {
    /// Indexes every entry of `catalog` in English and in each of its translations.
    pub fn build(catalog: &Catalog) -> Result<Index> {
        Index::build_inner(catalog).map_err(Error::Build)
    }

    fn build_inner(catalog: &Catalog) -> tantivy::Result<Index> {
        let (schema, fields) = schema::build();
        let index = tantivy::Index::create_in_ram(schema);
        schema::register(index.tokenizers());

        let mut docs = Vec::new();
        let mut writer: IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(1, WRITER_MEMORY)?;
        for entry in catalog.entries() {
            let mut texts = vec![DocText::english(entry)];
            for (code, translation) in &entry.translations {
                if let Some(lang) = schema::lang_index(code).filter(|&l| l > 0) {
                    texts.push(DocText::translated(entry, lang, translation));
                }
            }
            for text in texts {
                let mut doc = TantivyDocument::default();
                doc.add_text(fields.id, &entry.meta.id);
                doc.add_text(fields.lang, LANGS[text.lang]);
                doc.add_text(fields.id_words, &entry.meta.id);
                doc.add_text(fields.domain, &entry.meta.domain);
                doc.add_text(fields.category, &entry.meta.category);
                for tag in &entry.meta.tags {
                    doc.add_text(fields.tags, tag);
                }
                doc.add_u64(fields.ord, docs.len() as u64);
                let f = &fields.langs[text.lang];
                for (field, value) in [
                    (f.title, &text.title),
                    (f.signature, &text.signature),
                    (f.root_cause, &text.root_cause),
                    (f.fixes, &text.fixes),
                    (f.body, &text.body),
                ] {
                    doc.add_text(field, value);
                }
                writer.add_document(doc)?;
                docs.push(text);
            }
        }
        writer.commit()?;
        writer.wait_merging_threads()?;

        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let mut ords = Vec::new();
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64("ord")?;
            let segment_ords: Vec<u32> = (0..segment.max_doc())
                .map(|doc_id| column.first(doc_id).unwrap_or(0) as u32)
                .collect();
            ords.push(segment_ords);
        }

        let parser = |lang: &schema::LangFields, conjunction: bool| {
            let mut boosted = lang.boosted().to_vec();
            boosted.push((fields.id_words, ID_WORDS_BOOST));
            let mut parser =
                QueryParser::for_index(&index, boosted.iter().map(|&(f, _)| f).collect());
            for (field, boost) in boosted {
                parser.set_field_boost(field, boost);
            }
            if conjunction {
                parser.set_conjunction_by_default();
            }
            parser
        };
        let and_parsers = fields.langs.iter().map(|l| parser(l, true)).collect();
        let or_parsers = fields.langs.iter().map(|l| parser(l, false)).collect();
        let signatures = SignatureIndex::build(&docs);
        Ok(Index {
            reader,
            fields,
            and_parsers,
            or_parsers,
            docs,
            ords,
            signatures,
        })
    }

    /// Number of indexed documents (entries times their languages).
    pub fn num_docs(&self) -> usize {
        self.docs.len()
    }

    /// The side-table position of a hit.
    fn ord_of(&self, address: DocAddress) -> Option<usize> {
        self.ords
            .get(address.segment_ord as usize)?
            .get(address.doc_id as usize)
            .map(|&ord| ord as usize)
            .filter(|&ord| ord < self.docs.len())
    }
}

#[cfg(test)]
mod tests;

/// The matcher's fuzzy fallback: entries whose signature the line covers, with
/// [`SignatureMatch::coverage`] as the similarity.
impl crate::matcher::FuzzySearch for Index {
    fn search(&self, masked_line: &str, limit: usize) -> Vec<(String, f32, f32)> {
        self.signature_matches(masked_line, limit)
            .into_iter()
            .map(|m| (m.id, m.coverage, m.score))
            .collect()
    }
}
