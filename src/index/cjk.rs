//! Character bigrams for Chinese and Korean text.
//!
//! Neither language is split into words by spaces the way the stemmed analyzers expect
//! (Chinese has no spaces; Korean attaches particles to words), so runs of CJK
//! characters are indexed as overlapping bigrams (`令牌权限` -> `令牌 牌权 权限`), the
//! approach of Lucene's `CJKAnalyzer`. A query bigram then finds every text containing
//! those two characters. Runs of other letters and digits (the Latin words and
//! identifiers that Chinese and Korean technical text is full of) stay whole words.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Whether `c` is a Han, Kana or Hangul letter (a character indexed as bigrams).
pub fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x11FF          // Hangul Jamo
        | 0x2E80..=0x2FDF        // CJK and Kangxi radicals
        | 0x3040..=0x30FF        // Hiragana, Katakana
        | 0x3100..=0x312F        // Bopomofo
        | 0x3130..=0x318F        // Hangul compatibility Jamo
        | 0x31A0..=0x31FF        // Bopomofo extended, Katakana extensions
        | 0x3400..=0x4DBF        // CJK extension A
        | 0x4E00..=0x9FFF        // CJK unified ideographs
        | 0xA960..=0xA97F        // Hangul Jamo extended A
        | 0xAC00..=0xD7FF        // Hangul syllables, Jamo extended B
        | 0xF900..=0xFAFF        // CJK compatibility ideographs
        | 0xFF66..=0xFFDC        // half-width Katakana and Hangul
        | 0x20000..=0x3134F      // CJK extensions B-G
    )
}

/// Splits text into words (runs of non-CJK letters and digits) and CJK bigrams.
///
/// A CJK run of one character yields that character; a longer run yields its
/// overlapping bigrams at consecutive positions, so a phrase of bigrams is a substring.
/// Case is left alone (add a `LowerCaser`).
#[derive(Clone, Default)]
pub struct CjkBigramTokenizer;

/// The tokens of one text, computed up front.
pub struct CjkBigramStream {
    pending: std::vec::IntoIter<Token>,
    current: Token,
}

impl Tokenizer for CjkBigramTokenizer {
    type TokenStream<'a> = CjkBigramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CjkBigramStream {
        CjkBigramStream {
            pending: tokenize(text).into_iter(),
            current: Token::default(),
        }
    }
}

impl TokenStream for CjkBigramStream {
    fn advance(&mut self) -> bool {
        match self.pending.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Class {
    Cjk,
    Word,
    Other,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Other
    }
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut position = 0;
    let mut push = |from: usize, to: usize, tokens: &mut Vec<Token>| {
        tokens.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text: text[from..to].to_string(),
            position_length: 1,
        });
        position += 1;
    };
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match class(c) {
            Class::Other => {}
            Class::Word => {
                let mut end = start + c.len_utf8();
                while let Some(&(i, next)) = chars.peek() {
                    if class(next) != Class::Word {
                        break;
                    }
                    end = i + next.len_utf8();
                    chars.next();
                }
                push(start, end, &mut tokens);
            }
            Class::Cjk => {
                let mut prev = (start, c.len_utf8());
                let mut run_len = 1;
                while let Some(&(i, next)) = chars.peek() {
                    if class(next) != Class::Cjk {
                        break;
                    }
                    push(prev.0, i + next.len_utf8(), &mut tokens);
                    prev = (i, next.len_utf8());
                    run_len += 1;
                    chars.next();
                }
                if run_len == 1 {
                    push(start, start + c.len_utf8(), &mut tokens);
                }
            }
        }
    }
    tokens
}

/// Rewrites the CJK runs of three or more characters in a user query, outside double
/// quotes, into space-separated bigrams, so `令牌权限` is searched as
/// `令牌 牌权 权限` (any of them, ranked by how many match) rather than as an exact
/// phrase. Quoted text keeps phrase semantics.
pub fn split_query_runs(query: &str) -> String {
    let mut out = String::with_capacity(query.len() * 2);
    let mut quoted = false;
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, out: &mut String| {
        if run.len() >= 3 {
            for (i, pair) in run.windows(2).enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.extend(pair);
            }
        } else {
            out.extend(run.iter());
        }
        run.clear();
    };
    for c in query.chars() {
        if !quoted && is_cjk(c) {
            run.push(c);
            continue;
        }
        flush(&mut run, &mut out);
        if c == '"' {
            quoted = !quoted;
        }
        out.push(c);
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut tokenizer = CjkBigramTokenizer;
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    #[test]
    fn bigrams_cjk_runs_and_keeps_words() {
        let tokens = texts("OIDC令牌权限, ok 토큰을 가");
        let words: Vec<&str> = tokens.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(
            words,
            ["OIDC", "令牌", "牌权", "权限", "ok", "토큰", "큰을", "가"]
        );
        let positions: Vec<usize> = tokens.iter().map(|t| t.1).collect();
        assert_eq!(positions, [0, 1, 2, 3, 4, 5, 6, 7]);
        // Offsets are byte offsets into the text.
        assert_eq!((tokens[1].2, tokens[1].3), (4, 10));
    }

    #[test]
    fn empty_and_punctuation_only() {
        assert!(texts("").is_empty());
        assert!(texts("，。！ ...").is_empty());
    }

    #[test]
    fn token_before_advance_does_not_panic() {
        let mut tokenizer = CjkBigramTokenizer;
        let mut stream = tokenizer.token_stream("");
        assert_eq!(stream.token().text, "");
        stream.token_mut().text.push('x');
        assert!(!stream.advance());
    }

    #[test]
    fn splits_long_query_runs_outside_quotes() {
        assert_eq!(split_query_runs("令牌权限 x"), "令牌 牌权 权限 x");
        assert_eq!(split_query_runs("令牌"), "令牌");
        assert_eq!(
            split_query_runs("\"令牌权限\" 拒绝访问"),
            "\"令牌权限\" 拒绝 绝访 访问"
        );
    }
}
