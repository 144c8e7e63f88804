//! All entries' patterns compiled once into one structure: one Aho-Corasick automaton
//! over the literals each regex requires, a map from literal to the patterns needing
//! it. Patterns whose literals are only common words ("weak") and the few without any
//! literal are run only on
//! error-like lines.

use super::literals::{self, MIN_LITERAL_BYTES};
use super::words::WordWeights;
use crate::catalog::{Catalog, validate};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Input, MatchKind};
use regex::Regex;
use std::collections::HashMap;

/// Word weight (see [`WordWeights`]) at which a pattern counts as fully specific:
/// about three words that few entries use.
const SPECIFIC_WORDS: f64 = 3.0;

/// Most literals for which the prefilter uses a full DFA.
const DFA_LITERALS: usize = 1000;

/// Word-weight worth of one anchor or narrow class (see [`literals::structure`]).
const STRUCTURE_WORTH: f64 = 0.15;

/// Literal quality below which a pattern is treated as weak.
pub const WEAK_QUALITY: f64 = 4.0;

/// A second regex that must match within a window of lines around the primary match.
#[derive(Debug)]
pub struct Near {
    pub regex: Regex,
    pub before: u32,
    pub after: u32,
}

/// One compiled pattern of one entry.
#[derive(Debug)]
pub struct Compiled {
    /// Index of the entry in the catalog.
    pub entry: usize,
    /// Index of the pattern within its entry.
    pub index: usize,
    pub regex: Regex,
    pub has_names: bool,
    pub near: Option<Near>,
    pub weight: f64,
    /// How specific the regex is, in [0, 1]: the weight of the words it requires.
    pub specificity: f64,
    /// The literals the prefilter looks for; empty when the regex requires none.
    pub literals: Vec<String>,
    /// Its literals are missing or common words: it is tried only on error-like lines.
    pub weak: bool,
}

/// The compiled patterns of a whole catalog.
pub struct PatternSet {
    pub patterns: Vec<Compiled>,
    automaton: Option<AhoCorasick>,
    /// For each automaton literal: the patterns whose required literal it contains.
    literal_patterns: Vec<Vec<u32>>,
    /// Patterns without any literal: tried on every error-like line.
    pub literal_free: Vec<u32>,
    /// Largest `near_before` of any pattern: how many lines to remember.
    pub max_before: usize,
}

impl PatternSet {
    /// Compiles every pattern of `catalog`; patterns that do not compile were already
    /// refused by the loader and are skipped here.
    pub fn build(catalog: &Catalog, weights: &WordWeights) -> PatternSet {
        let mut patterns = Vec::new();
        for (entry, e) in catalog.entries().iter().enumerate() {
            for (index, p) in e.meta.patterns.iter().enumerate() {
                let Ok(regex) = validate::compile(&p.regex) else {
                    continue;
                };
                let near = p.near.as_ref().and_then(|n| {
                    Some(Near {
                        regex: validate::compile(n).ok()?,
                        before: p.near_before,
                        after: p.near_after,
                    })
                });
                let hir = regex_syntax::parse(&p.regex).ok();
                let required = hir.as_ref().and_then(literals::required);
                // Narrow classes and anchors add a little: a line must also have the
                // pattern's shape, not only its words.
                let info = hir.as_ref().map_or(0.0, |h| {
                    literals::literal_info(h, &|text| weights.sum(text))
                        + (STRUCTURE_WORTH * literals::structure(h) as f64).min(1.0)
                });
                // Weak literals (common words) still narrow the lines to try, but such
                // a pattern is tried only on error-like lines.
                let weak = required.as_ref().is_none_or(|r| r.quality < WEAK_QUALITY);
                let literals = required.map(|r| r.literals).unwrap_or_default();
                patterns.push(Compiled {
                    entry,
                    index,
                    weak,
                    has_names: regex.capture_names().flatten().next().is_some(),
                    regex,
                    near,
                    weight: p.weight,
                    specificity: (info / SPECIFIC_WORDS).min(1.0),
                    literals,
                });
            }
        }
        Self::from_patterns(patterns)
    }

    fn from_patterns(patterns: Vec<Compiled>) -> PatternSet {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut literals: Vec<&str> = Vec::new();
        let mut direct: Vec<Vec<u32>> = Vec::new();
        let mut literal_free = Vec::new();
        for (pi, p) in patterns.iter().enumerate() {
            if p.literals.is_empty() {
                literal_free.push(pi as u32);
            }
            for lit in &p.literals {
                let id = *ids.entry(lit.as_str()).or_insert_with(|| {
                    literals.push(lit.as_str());
                    direct.push(Vec::new());
                    literals.len() - 1
                });
                direct[id].push(pi as u32);
            }
        }
        let literal_patterns = contained_closure(&literals, &direct);
        let automaton = (!literals.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                // A full DFA is fastest while it fits in cache; for thousands of
                // literals the default (contiguous NFA) measured faster.
                .kind((literals.len() <= DFA_LITERALS).then_some(AhoCorasickKind::DFA))
                .build(&literals)
                .expect("literal automaton builds")
        });
        let max_before = patterns
            .iter()
            .filter_map(|p| p.near.as_ref().map(|n| n.before as usize))
            .max()
            .unwrap_or(0)
            .min(200);
        PatternSet {
            patterns,
            automaton,
            literal_patterns,
            literal_free,
            max_before,
        }
    }

    /// Appends to `out` the patterns whose required literals occur in `line`.
    /// `seen[p] == stamp` marks patterns already added for this line.
    pub fn candidates(&self, line: &str, stamp: u32, seen: &mut [u32], out: &mut Vec<u32>) {
        let Some(ac) = &self.automaton else {
            return;
        };
        if line.len() < MIN_LITERAL_BYTES {
            return;
        }
        // Leftmost-longest, restarting one byte after each match start, visits every
        // position where some literal starts; shorter literals at the same start are
        // prefixes of the longest and covered by the containment closure.
        let mut at = 0;
        while at < line.len() {
            let Some(m) = ac.find(Input::new(line).range(at..)) else {
                break;
            };
            for &p in &self.literal_patterns[m.pattern().as_usize()] {
                if seen[p as usize] != stamp {
                    seen[p as usize] = stamp;
                    out.push(p);
                }
            }
            at = m.start() + 1;
        }
    }
}

/// For each literal, the patterns of every literal it contains (itself included), so a
/// match of a longer literal also triggers patterns keyed on a shorter one inside it.
fn contained_closure(literals: &[&str], direct: &[Vec<u32>]) -> Vec<Vec<u32>> {
    if literals.is_empty() {
        return Vec::new();
    }
    let all = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(literals)
        .expect("literal automaton builds");
    literals
        .iter()
        .map(|lit| {
            let mut pats: Vec<u32> = all
                .find_overlapping_iter(*lit)
                .flat_map(|m| direct[m.pattern().as_usize()].iter().copied())
                .collect();
            pats.sort_unstable();
            pats.dedup();
            pats
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(regex: &str, entry: usize) -> Compiled {
        let hir = regex_syntax::parse(regex).unwrap();
        Compiled {
            entry,
            index: 0,
            regex: Regex::new(regex).unwrap(),
            has_names: false,
            near: None,
            weight: 1.0,
            specificity: 0.5,
            weak: false,
            literals: literals::required(&hir)
                .map(|r| r.literals)
                .unwrap_or_default(),
        }
    }

    fn candidates(set: &PatternSet, line: &str) -> Vec<u32> {
        let mut seen = vec![0; set.patterns.len()];
        let mut out = Vec::new();
        set.candidates(line, 1, &mut seen, &mut out);
        out.sort();
        out
    }

    #[test]
    fn finds_overlapping_and_contained_literals() {
        let set = PatternSet::from_patterns(vec![
            compiled("access denied", 0),
            compiled("denied: requested access", 1),
            compiled("abcdef", 2),
            compiled("bcdefgh", 3),
        ]);
        assert_eq!(
            candidates(&set, "Error: access denied: requested access to x"),
            vec![0, 1]
        );
        assert_eq!(candidates(&set, "ABCDEFGH"), vec![2, 3]);
        assert_eq!(candidates(&set, "nothing"), Vec::<u32>::new());
    }

    #[test]
    fn literal_free_patterns_are_listed() {
        let set = PatternSet::from_patterns(vec![compiled(r"\w+ \d+", 0)]);
        assert_eq!(set.literal_free, vec![0]);
    }
}
