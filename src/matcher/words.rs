//! How informative the words of a message are, learned from the catalog itself: a word
//! found in many entries' signatures (`error`, `failed`, `not`) says little, a word
//! found in one (`AADSTS`, `ERESOLVE`, `toomanyrequests`) says a lot. Used to rate how
//! specific a pattern is and how much a log line resembles an entry's signature.

use std::collections::{HashMap, HashSet};

/// Words of `text`: lowercase ASCII-alphanumeric runs with digits removed (so
/// `AADSTS70021` and `AADSTS700016` share `aadsts`), at least 3 letters; non-ASCII
/// runs (CJK, Cyrillic) are kept whole.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter_map(|w| {
            let w: String = w
                .chars()
                .filter(|c| !c.is_ascii_digit())
                .flat_map(char::to_lowercase)
                .collect();
            (w.chars().count() >= 3).then_some(w)
        })
        .collect()
}

/// The distinct [`words`] of `text`.
pub fn word_set(text: &str) -> HashSet<String> {
    words(text).into_iter().collect()
}

/// Word weights: inverse document frequency over the entries' signatures and titles,
/// scaled to [0, 1] (a word no entry uses weighs 1).
pub struct WordWeights {
    weight: HashMap<String, f64>,
}

impl WordWeights {
    /// Learns weights from one text per entry.
    pub fn learn<'a>(docs: impl Iterator<Item = &'a str>) -> WordWeights {
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut n = 0usize;
        for doc in docs {
            n += 1;
            let unique: HashSet<String> = words(doc).into_iter().collect();
            for w in unique {
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

    /// Weight of one word (from [`words`]).
    pub fn of(&self, word: &str) -> f64 {
        self.weight.get(word).copied().unwrap_or(1.0)
    }

    /// Total weight of the words of `text`.
    pub fn sum(&self, text: &str) -> f64 {
        words(text).iter().map(|w| self.of(w)).sum()
    }
}

/// An entry's signature as weighted words, to measure how much a line resembles it.
#[derive(Debug, Clone, Default)]
pub struct Signature {
    words: Vec<(String, f64)>,
    total: f64,
}

impl Signature {
    pub fn new(text: &str, weights: &WordWeights) -> Signature {
        let mut seen = HashSet::new();
        let words: Vec<(String, f64)> = words(text)
            .into_iter()
            .filter(|w| seen.insert(w.clone()))
            .map(|w| {
                let weight = weights.of(&w);
                (w, weight)
            })
            .collect();
        let total = words.iter().map(|(_, w)| w).sum();
        Signature { words, total }
    }

    /// Share of the signature's word weight found in a line whose [`word_set`] is
    /// `line`, in [0, 1].
    pub fn resemblance(&self, line: &HashSet<String>) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        let found: f64 = self
            .words
            .iter()
            .filter(|(w, _)| line.contains(w))
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
        assert_eq!(
            words("Error: AADSTS70021: No matching"),
            vec!["error", "aadsts", "matching"]
        );
        assert_eq!(words("sts:AssumeRole x1"), vec!["sts", "assumerole"]);
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
        assert!(w.of("error") < w.of("failed"));
        assert!(w.of("failed") < w.of("eresolve"));
        assert_eq!(w.of("unseen"), 1.0);
        let sig = Signature::new("npm error eresolve", &w);
        let of = |line: &str| sig.resemblance(&word_set(line));
        assert!(of("npm ERR! ERESOLVE could not resolve") > of("error here"));
    }
}
