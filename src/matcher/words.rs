//! How informative the words of a message are, learned from the catalog itself: a word
//! found in many entries' signatures (`error`, `failed`, `not`) says little, a word
//! found in one (`AADSTS`, `ERESOLVE`, `toomanyrequests`) says a lot. Used to rate how
//! specific a pattern is and how much a log line resembles an entry's signature.

use std::collections::HashMap;

/// The words of `text` as 64-bit keys (FNV-1a of the word): lowercase alphanumeric
/// runs with ASCII digits removed (so `AADSTS70021` and `AADSTS700016` share
/// `aadsts`), at least 3 letters; non-ASCII runs (CJK, Cyrillic) are kept whole. Keys,
/// not strings, so reading a line's words allocates nothing.
pub fn word_keys(text: &str) -> impl Iterator<Item = u64> + '_ {
    let ascii = text.is_ascii();
    text.split(move |c: char| !c.is_alphanumeric())
        .filter_map(move |run| if ascii { ascii_key(run) } else { key(run) })
}

/// [`word_keys`] of one alphanumeric run.
fn key(run: &str) -> Option<u64> {
    let (mut hash, mut letters) = (FNV_OFFSET, 0usize);
    for c in run.chars().filter(|c| !c.is_ascii_digit()) {
        for lower in c.to_lowercase() {
            let mut utf8 = [0u8; 4];
            for &b in lower.encode_utf8(&mut utf8).as_bytes() {
                hash = fnv(hash, b);
            }
            letters += 1;
        }
    }
    (letters >= 3).then_some(hash)
}

/// [`key`] of an ASCII run, byte by byte (most log text): the same key, without
/// decoding characters or case tables.
fn ascii_key(run: &str) -> Option<u64> {
    let (mut hash, mut letters) = (FNV_OFFSET, 0usize);
    for b in run.bytes().filter(|b| !b.is_ascii_digit()) {
        hash = fnv(hash, b.to_ascii_lowercase());
        letters += 1;
    }
    (letters >= 3).then_some(hash)
}

fn fnv(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The distinct [`word_keys`] of `text`, sorted.
pub fn word_set(text: &str) -> Vec<u64> {
    let mut keys: Vec<u64> = word_keys(text).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Word weights: inverse document frequency over the entries' signatures and titles,
/// scaled to [0, 1] (a word no entry uses weighs 1).
pub struct WordWeights {
    weight: HashMap<u64, f64>,
}

impl WordWeights {
    /// Learns weights from one text per entry.
    pub fn learn<'a>(docs: impl Iterator<Item = &'a str>) -> WordWeights {
        let mut df: HashMap<u64, usize> = HashMap::new();
        let mut n = 0usize;
        for doc in docs {
            n += 1;
            for w in word_set(doc) {
                *df.entry(w).or_default() += 1;
            }
        }
        let scale = ((n + 1) as f64).ln().max(1.0);
        let weight = df
            .into_iter()
            .map(|(w, d)| {
                (
                    w,
                    (((n + 1) as f64 / (d as f64 + 0.5)).ln() / scale).clamp(0.0, 1.0),
                )
            })
            .collect();
        WordWeights { weight }
    }

    /// Weight of one word (a key from [`word_keys`]).
    pub fn of(&self, word: u64) -> f64 {
        self.weight.get(&word).copied().unwrap_or(1.0)
    }

    /// Total weight of the words of `text`.
    pub fn sum(&self, text: &str) -> f64 {
        word_keys(text).map(|w| self.of(w)).sum()
    }
}

/// An entry's signature as weighted words, to measure how much a line resembles it.
#[derive(Debug, Clone, Default)]
pub struct Signature {
    words: Vec<(u64, f64)>,
    total: f64,
}

impl Signature {
    pub fn new(text: &str, weights: &WordWeights) -> Signature {
        let words: Vec<(u64, f64)> = word_set(text)
            .into_iter()
            .map(|w| (w, weights.of(w)))
            .collect();
        let total = words.iter().map(|(_, w)| w).sum();
        Signature { words, total }
    }

    /// Share of the signature's word weight found in a line whose [`word_set`] is
    /// `line`, in [0, 1].
    pub fn resemblance(&self, line: &[u64]) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        let found: f64 = self
            .words
            .iter()
            .filter(|(w, _)| line.binary_search(w).is_ok())
            .map(|(_, w)| w)
            .sum();
        found / self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_without_digits() {
        let keys = |text: &str| word_keys(text).collect::<Vec<u64>>();
        assert_eq!(
            keys("Error: AADSTS70021: No matching"),
            keys("error aadsts matching")
        );
        assert_eq!(keys("sts:AssumeRole x1"), keys("STS assumerole"));
        assert_eq!(keys("AADSTS70021"), keys("aadsts700016"));
        assert_ne!(keys("aadsts"), keys("aadst"));
        assert_eq!(keys("Ошибка 错误信息").len(), 2);
        // ASCII text and text with a non-ASCII word give the same keys for the rest.
        assert_eq!(
            keys("Error: AADSTS70021 Ошибка"),
            [keys("Error: AADSTS70021"), keys("Ошибка")].concat()
        );
    }

    #[test]
    fn rare_words_weigh_more() {
        let docs = [
            "error failed a",
            "error failed b",
            "error eresolve",
            "error other",
        ];
        let w = WordWeights::learn(docs.iter().copied());
        let of = |word: &str| w.of(word_keys(word).next().unwrap());
        assert!(of("error") < of("failed"));
        assert!(of("failed") < of("eresolve"));
        assert_eq!(of("unseen"), 1.0);
        let sig = Signature::new("npm error eresolve", &w);
        let of = |line: &str| sig.resemblance(&word_set(line));
        assert!(of("npm ERR! ERESOLVE could not resolve") > of("error here"));
    }
}
