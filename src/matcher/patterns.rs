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
    /// A second literal set the regex requires elsewhere: a line must also hold one of
    /// these (checked after the automaton's pass). Empty when there is none.
    pub second: Vec<String>,
}

/// The compiled patterns of a whole catalog.
pub struct PatternSet {
    pub patterns: Vec<Compiled>,
    automaton: Option<AhoCorasick>,
    /// For each automaton literal: the patterns whose required literal it contains.
    literal_patterns: Vec<Vec<u32>>,
    /// For each automaton literal: the literals it contains (itself included).
    contained: Vec<Vec<u32>>,
    /// For each pattern: ids of its second literal set (empty: no second condition).
    second: Vec<Vec<u32>>,
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
                let second = hir
                    .as_ref()
                    .and_then(literals::second_required)
                    .filter(|_| !literals.is_empty())
                    .unwrap_or_default();
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
                    second,
                });
            }
        }
        Self::from_patterns(patterns)
    }

    fn from_patterns(patterns: Vec<Compiled>) -> PatternSet {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut literals: Vec<&str> = Vec::new();
        let mut direct: Vec<(usize, u32)> = Vec::new();
        let mut second = Vec::with_capacity(patterns.len());
        let mut literal_free = Vec::new();
        for (pi, p) in patterns.iter().enumerate() {
            if p.literals.is_empty() {
                literal_free.push(pi as u32);
            }
            for lit in &p.literals {
                direct.push((intern(&mut ids, &mut literals, lit), pi as u32));
            }
            second.push(
                p.second
                    .iter()
                    .map(|lit| intern(&mut ids, &mut literals, lit) as u32)
                    .collect(),
            );
        }
        let contained = contained_literals(&literals);
        let mut by_literal: Vec<Vec<u32>> = vec![Vec::new(); literals.len()];
        for (lit, pi) in direct {
            by_literal[lit].push(pi);
        }
        let literal_patterns = contained
            .iter()
            .map(|inside| {
                let mut pats: Vec<u32> = inside
                    .iter()
                    .flat_map(|&l| by_literal[l as usize].iter().copied())
                    .collect();
                pats.sort_unstable();
                pats.dedup();
                pats
            })
            .collect();
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
            contained,
            second,
            literal_free,
            max_before,
        }
    }

    /// Number of distinct literals in the automaton.
    pub fn literal_count(&self) -> usize {
        self.contained.len()
    }

    /// Appends to `out` the patterns whose required literals occur in `line`.
    /// `seen[p] == stamp` marks patterns already added for this line, `found[l] == stamp`
    /// literals seen on it.
    pub fn candidates(
        &self,
        line: &str,
        stamp: u32,
        seen: &mut [u32],
        found: &mut [u32],
        out: &mut Vec<u32>,
    ) {
        let Some(ac) = &self.automaton else {
            return;
        };
        if line.len() < MIN_LITERAL_BYTES {
            return;
        }
        let start = out.len();
        // Leftmost-longest, restarting one byte after each match start, visits every
        // position where some literal starts; shorter literals at the same start are
        // prefixes of the longest and covered by the containment closure.
        let mut at = 0;
        while at < line.len() {
            let Some(m) = ac.find(Input::new(line).range(at..)) else {
                break;
            };
            let lit = m.pattern().as_usize();
            for &l in &self.contained[lit] {
                found[l as usize] = stamp;
            }
            for &p in &self.literal_patterns[lit] {
                if seen[p as usize] != stamp {
                    seen[p as usize] = stamp;
                    out.push(p);
                }
            }
            at = m.start() + 1;
        }
        // A pattern with a second required literal set needs one of those too.
        let mut i = start;
        while i < out.len() {
            let second = &self.second[out[i] as usize];
            if second.is_empty() || second.iter().any(|&l| found[l as usize] == stamp) {
                i += 1;
            } else {
                out.swap_remove(i);
            }
        }
    }
}

/// The id of `lit` in `literals`, added when new.
fn intern<'a>(
    ids: &mut HashMap<&'a str, usize>,
    literals: &mut Vec<&'a str>,
    lit: &'a str,
) -> usize {
    *ids.entry(lit).or_insert_with(|| {
        literals.push(lit);
        literals.len() - 1
    })
}

/// For each literal, the literals it contains (itself included), so a match of a longer
/// literal also counts for the shorter ones inside it.
fn contained_literals(literals: &[&str]) -> Vec<Vec<u32>> {
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
            let mut inside: Vec<u32> = all
                .find_overlapping_iter(*lit)
                .map(|m| m.pattern().as_u32())
                .collect();
            inside.sort_unstable();
            inside.dedup();
            inside
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
            second: literals::second_required(&hir).unwrap_or_default(),
        }
    }

    fn candidates(set: &PatternSet, line: &str) -> Vec<u32> {
        let mut seen = vec![0; set.patterns.len()];
        let mut found = vec![0; set.literal_count()];
        let mut out = Vec::new();
        set.candidates(line, 1, &mut seen, &mut found, &mut out);
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
    fn a_second_required_literal_must_be_on_the_line_too() {
        let set = PatternSet::from_patterns(vec![compiled(r"(?i)resolver.*dns", 0)]);
        assert_eq!(candidates(&set, "DNS resolver failed"), vec![0]);
        assert_eq!(candidates(&set, "the resolver is fine"), Vec::<u32>::new());
    }

    #[test]
    fn literal_free_patterns_are_listed() {
        let set = PatternSet::from_patterns(vec![compiled(r"\w+ \d+", 0)]);
        assert_eq!(set.literal_free, vec![0]);
    }
}
