//! The tantivy schema and the analyzers of each language.
//!
//! Every text field exists once per language (`title_en`, `title_zh`, ...) because a
//! field has one analyzer: English, German, Russian and Portuguese text is split into
//! words, lowercased and stemmed; Chinese and Korean text is split into character
//! bigrams ([`super::cjk`]). A document only fills the fields of its own language.

use super::cjk::CjkBigramTokenizer;
use crate::catalog::LANGS;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    TokenizerManager,
};

/// Tokens longer than this many bytes (base64 blobs, minified code) are dropped.
const MAX_TOKEN_BYTES: usize = 48;

/// The text fields of one language.
#[derive(Debug, Clone, Copy)]
pub struct LangFields {
    pub title: Field,
    pub signature: Field,
    pub root_cause: Field,
    pub fixes: Field,
    pub body: Field,
}

impl LangFields {
    /// The fields with their query boosts: title and signature count most, then the
    /// root cause, then fixes and body. (The id's words count 2; see [`Fields`].)
    pub fn boosted(&self) -> [(Field, f32); 5] {
        [
            (self.title, 3.0),
            (self.signature, 3.0),
            (self.root_cause, 2.0),
            (self.fixes, 1.0),
            (self.body, 1.0),
        ]
    }
}

/// Every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Entry id, raw and stored.
    pub id: Field,
    /// Language code, raw and stored.
    pub lang: Field,
    pub domain: Field,
    pub category: Field,
    /// One value per tag.
    pub tags: Field,
    /// Words of the id (`policy/oidc-token-denied` -> `policy oidc token denied`),
    /// English analyzer, in every language's document: ids are curated summaries.
    pub id_words: Field,
    /// Position of the document in the index's side table (fast field).
    pub ord: Field,
    /// Text fields, in the order of [`LANGS`].
    pub langs: Vec<LangFields>,
}

/// Builds the schema.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    let lang = b.add_text_field("lang", STRING | STORED);
    let domain = b.add_text_field("domain", STRING);
    let category = b.add_text_field("category", STRING);
    let tags = b.add_text_field("tags", STRING);
    let ord = b.add_u64_field("ord", FAST);
    let text_options = |analyzer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let id_words = b.add_text_field("id_words", text_options(analyzer_name("en")));
    let langs = LANGS
        .iter()
        .map(|&code| {
            let options = text_options(analyzer_name(code));
            let mut text =
                |name: &str| b.add_text_field(&format!("{name}_{code}"), options.clone());
            LangFields {
                title: text("title"),
                signature: text("signature"),
                root_cause: text("root_cause"),
                fixes: text("fixes"),
                body: text("body"),
            }
        })
        .collect();
    let fields = Fields {
        id,
        lang,
        domain,
        category,
        tags,
        id_words,
        ord,
        langs,
    };
    (b.build(), fields)
}

/// The name under which a language's analyzer is registered.
pub fn analyzer_name(lang: &str) -> &'static str {
    match lang {
        "de" => "logdoc_de",
        "ru" => "logdoc_ru",
        "pt" => "logdoc_pt",
        "zh" | "ko" => "logdoc_cjk",
        _ => "logdoc_en",
    }
}

/// The analyzer of a language. Unknown codes get the English one.
pub fn analyzer(lang: &str) -> TextAnalyzer {
    let stemmed = |language| {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(Stemmer::new(language))
            .build()
    };
    match lang {
        "de" => stemmed(Language::German),
        "ru" => stemmed(Language::Russian),
        "pt" => stemmed(Language::Portuguese),
        // Bigrams are left alone by the English stemmer (it only strips Latin
        // suffixes); the Latin words among them (and English fallback text) are stemmed.
        "zh" | "ko" => TextAnalyzer::builder(CjkBigramTokenizer)
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build(),
        _ => stemmed(Language::English),
    }
}

/// Registers every language's analyzer.
pub fn register(manager: &TokenizerManager) {
    for code in LANGS {
        manager.register(analyzer_name(code), analyzer(code));
    }
}

/// Index of a language code in [`LANGS`].
pub fn lang_index(code: &str) -> Option<usize> {
    LANGS.iter().position(|&l| l == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(lang: &str, text: &str) -> Vec<String> {
        let mut analyzer = analyzer(lang);
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn english_is_stemmed_and_lowercased() {
        assert_eq!(tokens("en", "Permissions DENIED"), ["permiss", "deni"]);
    }

    #[test]
    fn cjk_bigrams_survive_the_stemmer() {
        assert_eq!(
            tokens("zh", "令牌权限 Tokens"),
            ["令牌", "牌权", "权限", "token"]
        );
        assert_eq!(tokens("ko", "토큰을 requests"), ["토큰", "큰을", "request"]);
    }

    #[test]
    fn german_and_russian_are_stemmed() {
        assert_eq!(tokens("de", "Berechtigungen"), tokens("de", "Berechtigung"));
        assert_eq!(tokens("ru", "токена"), tokens("ru", "токен"));
    }
}
