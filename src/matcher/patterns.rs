//! All entries' patterns compiled once into one structure: one Aho-Corasick automaton
//! over the literals each regex requires, a map from literal to the patterns needing
//! it. Patterns whose literals are only common words ("weak") and the few without any
//! literal are run only on
//! error-like lines.

use super::automaton::{LiteralAutomaton, fold};
use super::lanes::Lanes;
use super::literals::{self, MIN_LITERAL_BYTES};
use super::words::WordWeights;
use crate::catalog::{Catalog, validate};
use crate::logtext::{classify, env};
use memchr::memmem::{Finder, FinderRev};
use regex::Regex;
use std::collections::HashMap;

/// Word weight (see [`WordWeights`]) at which a pattern counts as fully specific:
/// about three words that few entries use.
const SPECIFIC_WORDS: f64 = 3.0;

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
    /// Without usable literals: short strings one of which a matching line holds (see
    /// [`literals::short_required`]); empty when there are none either.
    pub short: Vec<String>,
    /// Per alternative, the literals a line must hold for that branch to match (see
    /// [`literals::branch_sets`]); checked after the automaton's pass. Empty when
    /// `literals` alone is the condition.
    pub branches: Vec<literals::Branch>,
}

/// What one automaton literal means beside the patterns needing it.
#[derive(Debug, Clone, Copy, Default)]
struct Role {
    /// Bit set of [`classify::keywords`] ids.
    keywords: u64,
    /// Bit set of [`env::probe_literals`] ids.
    probes: u64,
    /// One of [`classify::TRUNCATION_NOTICES`].
    truncation: bool,
}

/// The conditions of every pattern's branches (see [`literals::branch_sets`]) with
/// literal ids for strings, in two flat arrays: a check reads a few adjacent words
/// rather than following a pointer per branch, set and run. A pattern with literals
/// has at least one; the automaton's finds point at them (see
/// [`PatternSet::scan_walked`]).
struct Conditions {
    branches: Vec<Condition>,
    /// The branches' sets and runs, each as its length followed by its literal ids.
    lists: Vec<u32>,
}

/// One branch's condition: its `sets` then its `runs`, from `lists[at..]`.
struct Condition {
    /// [`literal_bit`] of each walked literal the branch needs on its own (a
    /// one-literal set): a line whose [`LineMarks::bits`] lack one cannot hold the
    /// branch.
    needs: u64,
    pattern: u32,
    at: u32,
    sets: u16,
    runs: u16,
}

impl Conditions {
    /// Adds a branch of `pattern` needing literal `sets` and `runs` (ids); literals
    /// from `walked` on are not the automaton's.
    fn push(&mut self, pattern: u32, sets: &[Vec<u32>], runs: &[Vec<u32>], walked: usize) {
        let needs = sets
            .iter()
            .filter(|set| set.len() == 1 && (set[0] as usize) < walked)
            .fold(0, |bits, set| bits | literal_bit(set[0]));
        self.branches.push(Condition {
            needs,
            pattern,
            at: self.lists.len() as u32,
            sets: sets.len() as u16,
            runs: runs.len() as u16,
        });
        for list in sets.iter().chain(runs) {
            self.lists.push(list.len() as u32);
            self.lists.extend(list);
        }
    }

    /// Whether the current line holds the literals of branch `b`, in order: `bits`
    /// are the line's [`LineMarks::bits`], `mark` tells where a literal is on it.
    fn hold(
        &self,
        b: &Condition,
        bits: u64,
        mark: &mut impl FnMut(u32) -> Option<LiteralMark>,
    ) -> bool {
        if b.needs & !bits != 0 {
            return false;
        }
        let mut rest = &self.lists[b.at as usize..];
        let mut next_list = || {
            let (&len, tail) = rest.split_first().unwrap_or((&0, &[]));
            let (list, tail) = tail.split_at(len as usize);
            rest = tail;
            list
        };
        for _ in 0..b.sets {
            if !next_list().iter().any(|&l| mark(l).is_some()) {
                return false;
            }
        }
        // Each run must have an occurrence starting at or after the earliest point
        // the runs before it can end.
        let mut end = 0;
        for _ in 0..b.runs {
            let (mut first_end, mut last_start) = (u32::MAX, None);
            for found in next_list().iter().filter_map(|&l| mark(l)) {
                first_end = first_end.min(found.first_end);
                last_start = last_start.max(Some(found.last_start));
            }
            match last_start {
                Some(start) if start >= end => end = end.max(first_end),
                _ => return false,
            }
        }
        true
    }
}

/// Where a literal is on the current line, in one place so that a find touches one
/// cache line.
#[derive(Clone, Copy, Default)]
struct LiteralMark {
    /// The stamp of the last line the literal was found on.
    stamp: u32,
    /// Where its first occurrence on that line ends.
    first_end: u32,
    /// Where its last occurrence on that line starts.
    last_start: u32,
}

/// Per-line scratch of [`PatternSet::scan_line`]: which patterns and literals the
/// current line has and where, reset by moving a stamp on.
pub struct LineMarks {
    stamp: u32,
    /// Per pattern: the stamp of the last line it became a candidate on.
    seen: Vec<u32>,
    /// Per literal: where it was last found.
    literals: Vec<LiteralMark>,
    /// Per literal only branch conditions use (from [`PatternSet::walked`] on): the
    /// stamp of the last line it was looked for on.
    looked: Vec<u32>,
    /// [`literal_bit`] of every literal found on the current line.
    bits: u64,
    /// The branch conditions the current line's literals trigger, reused.
    triggered: Vec<u32>,
    /// [`PatternSet::scan_line`]'s lanes, reused.
    lanes: Lanes,
}

impl LineMarks {
    pub fn new(set: &PatternSet) -> LineMarks {
        // Marks start at 0: stamp 1 is a line with nothing on it yet.
        LineMarks {
            stamp: 1,
            seen: vec![0; set.patterns.len()],
            literals: vec![LiteralMark::default(); set.literal_count],
            looked: vec![0; set.literal_count - set.walked],
            bits: 0,
            triggered: Vec::new(),
            lanes: Lanes::default(),
        }
    }

    fn next_line(&mut self) {
        self.bits = 0;
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.fill(0);
            self.literals.fill(LiteralMark::default());
            self.looked.fill(0);
            self.stamp = 1;
        }
    }

    /// Adds pattern `p` to `out` unless it is there for this line already.
    pub fn add(&mut self, p: u32, out: &mut Vec<u32>) {
        if self.seen[p as usize] != self.stamp {
            self.seen[p as usize] = self.stamp;
            out.push(p);
        }
    }
}

/// The words one pass found on a line, besides pattern candidates.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LineWords {
    /// Bit set of [`classify::keywords`] ids, for [`classify::score`].
    pub keywords: u64,
    /// Bit set of [`env::probe_literals`] ids, for [`env::Environment::observe`].
    pub probes: u64,
    /// The line holds a truncation notice.
    pub truncation: bool,
}

/// The compiled patterns of a whole catalog.
pub struct PatternSet {
    pub patterns: Vec<Compiled>,
    automaton: LiteralAutomaton,
    /// For each literal: the branch conditions it triggers (those having it in their
    /// first set), as `literal_branches[literal_starts[l]..literal_starts[l + 1]]`,
    /// one flat list.
    literal_branches: Vec<u32>,
    literal_starts: Vec<u32>,
    /// For each word the line scorer, the truncation check and the environment probes
    /// look for: what it means to them. These words are the first literals, so the
    /// table covers ids `0..roles.len()` and stays small.
    roles: Vec<Role>,
    literal_count: usize,
    /// Literals with ids below this one are the automaton's: the words above and the
    /// patterns' required literals. The others, which only branch conditions use, are
    /// looked for on a line only when a pattern needing them is a candidate there: most
    /// are common words, and walking for them cost a find on nearly every line.
    walked: usize,
    /// Per literal from `walked` on: searchers for its codes (see
    /// [`fold`](super::automaton::fold)), forwards and backwards.
    unwalked: Vec<(Finder<'static>, FinderRev<'static>)>,
    conditions: Conditions,
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
                let short = match &hir {
                    Some(h) if literals.is_empty() => literals::short_required(h),
                    _ => Vec::new(),
                };
                let branches = hir
                    .as_ref()
                    .map(literals::branch_sets)
                    .filter(|b| {
                        let one_set = b.len() == 1 && b[0].sets.len() == 1 && b[0].runs.is_empty();
                        !literals.is_empty() && !one_set
                    })
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
                    short,
                    branches,
                });
            }
        }
        Self::from_patterns(patterns)
    }

    fn from_patterns(patterns: Vec<Compiled>) -> PatternSet {
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut literals: Vec<String> = Vec::new();
        // The words the line scorer, the truncation check and the environment probes
        // look for share the pass: one automaton run per line serves all four.
        let vocabulary = classify::keywords()
            .enumerate()
            .map(|(i, word)| {
                let keywords = 1 << i;
                (
                    word,
                    Role {
                        keywords,
                        ..Role::default()
                    },
                )
            })
            .chain(classify::TRUNCATION_NOTICES.iter().map(|word| {
                let truncation = true;
                (
                    *word,
                    Role {
                        truncation,
                        ..Role::default()
                    },
                )
            }))
            .chain(env::probe_literals().enumerate().map(|(i, word)| {
                let probes = 1 << i;
                (
                    word,
                    Role {
                        probes,
                        ..Role::default()
                    },
                )
            }));
        let mut roles: Vec<Role> = Vec::new();
        for (word, role) in vocabulary {
            let id = intern(&mut ids, &mut literals, word);
            roles.resize(literals.len(), Role::default());
            roles[id].keywords |= role.keywords;
            roles[id].probes |= role.probes;
            roles[id].truncation |= role.truncation;
        }
        // Each branch of a pattern with literals is a condition, triggered by the
        // literals of its first set (the pattern's literals are their union); a
        // pattern whose literals are the whole condition has one empty branch (`None`).
        let mut literal_free = Vec::new();
        let mut branches: Vec<(u32, Option<&literals::Branch>)> = Vec::new();
        for (pi, p) in patterns.iter().enumerate() {
            let pi = pi as u32;
            if p.literals.is_empty() {
                literal_free.push(pi);
            } else if p.branches.is_empty() {
                branches.push((pi, None));
            } else {
                branches.extend(p.branches.iter().map(|b| (pi, Some(b))));
            }
        }
        let mut direct: Vec<(usize, u32)> = Vec::new();
        for (id, &(pi, branch)) in branches.iter().enumerate() {
            let triggers = branch.map_or(&patterns[pi as usize].literals, |b| &b.sets[0]);
            for lit in triggers {
                direct.push((intern(&mut ids, &mut literals, lit), id as u32));
            }
        }
        let walked = literals.len();
        let mut conditions = Conditions {
            branches: Vec::with_capacity(branches.len()),
            lists: Vec::new(),
        };
        for &(pi, branch) in &branches {
            let mut ids_of = |strings: &[Vec<String>]| -> Vec<Vec<u32>> {
                strings
                    .iter()
                    .map(|set| {
                        set.iter()
                            .map(|lit| intern(&mut ids, &mut literals, lit) as u32)
                            .collect()
                    })
                    .collect()
            };
            let (sets, runs) = branch.map_or((Vec::new(), Vec::new()), |b| {
                (ids_of(&b.sets), ids_of(&b.runs))
            });
            conditions.push(pi, &sets, &runs, walked);
        }
        direct.sort_unstable();
        direct.dedup();
        let literal_branches = direct.iter().map(|&(_, b)| b).collect();
        let literal_starts = (0..=literals.len())
            .map(|l| direct.partition_point(|&(lit, _)| lit < l) as u32)
            .collect();
        let literal_count = literals.len();
        let automaton = LiteralAutomaton::new(&literals[..walked]);
        let unwalked = literals[walked..]
            .iter()
            .map(|lit| {
                let codes: Vec<u8> = fold(lit.as_bytes()).collect();
                (
                    Finder::new(&codes).into_owned(),
                    FinderRev::new(&codes).into_owned(),
                )
            })
            .collect();
        let max_before = patterns
            .iter()
            .filter_map(|p| p.near.as_ref().map(|n| n.before as usize))
            .max()
            .unwrap_or(0)
            .min(200);
        PatternSet {
            patterns,
            automaton,
            literal_branches,
            literal_starts,
            roles,
            literal_count,
            walked,
            unwalked,
            conditions,
            literal_free,
            max_before,
        }
    }

    /// Appends to `out` the patterns without a usable literal that may match `line`:
    /// one of their short strings, if they have any, must be on it.
    pub fn add_literal_free(&self, line: &str, marks: &mut LineMarks, out: &mut Vec<u32>) {
        let holds = |s: &String| contains_ignoring_case(line.as_bytes(), s.as_bytes());
        for &p in &self.literal_free {
            let short = &self.patterns[p as usize].short;
            if short.is_empty() || short.iter().any(holds) {
                marks.add(p, out);
            }
        }
    }

    /// Appends to `out` the patterns whose required literals occur in `line` (in
    /// order, where that is required) and returns the other words found; `marks` are
    /// moved on to this line. For one line; [`Scan`](super::scan) walks lines in
    /// [`Lanes`] and reads each with [`PatternSet::scan_walked`].
    pub fn scan_line(&self, line: &str, marks: &mut LineMarks, out: &mut Vec<u32>) -> LineWords {
        // The lanes are kept in `marks` between calls: one per call cost several
        // allocations, and a log has a line ending in `:` every few dozen.
        let mut lanes = std::mem::take(&mut marks.lanes);
        lanes.clear();
        lanes.push(line.as_bytes());
        self.walk(&mut lanes);
        let words = self.scan_walked(&lanes, 0, marks, out);
        marks.lanes = lanes;
        words
    }

    /// Steps the literal automaton over every line queued in `lanes`.
    pub fn walk(&self, lanes: &mut Lanes) {
        lanes.walk(&self.automaton);
    }

    /// [`PatternSet::scan_line`] for line `line` of `lanes`, read from what their last
    /// [`PatternSet::walk`] found.
    pub fn scan_walked(
        &self,
        lanes: &Lanes,
        line: usize,
        marks: &mut LineMarks,
        out: &mut Vec<u32>,
    ) -> LineWords {
        marks.next_line();
        let mut words = LineWords::default();
        if lanes.line_len(line) < MIN_LITERAL_BYTES {
            return words;
        }
        let stamp = marks.stamp;
        let mut triggered = std::mem::take(&mut marks.triggered);
        triggered.clear();
        for &(end, state) in lanes.finds(line) {
            let end = end as usize;
            for &(lit, len) in self.automaton.reported(state) {
                let lit = lit as usize;
                // Matches come in order of their end, so a literal's first is its earliest.
                let mark = &mut marks.literals[lit];
                mark.last_start = (end - len as usize) as u32;
                if mark.stamp == stamp {
                    continue;
                }
                mark.stamp = stamp;
                mark.first_end = end as u32;
                marks.bits |= literal_bit(lit as u32);
                if let Some(role) = self.roles.get(lit) {
                    words.keywords |= role.keywords;
                    words.probes |= role.probes;
                    words.truncation |= role.truncation;
                }
                let (from, to) = (self.literal_starts[lit], self.literal_starts[lit + 1]);
                triggered.extend_from_slice(&self.literal_branches[from as usize..to as usize]);
            }
        }
        // Once the line's literals are all marked: a pattern is a candidate when one
        // of its triggered branches holds.
        let codes = lanes.codes(line);
        let bits = marks.bits;
        for &b in &triggered {
            let branch = &self.conditions.branches[b as usize];
            // A pattern already a candidate needs no second branch checked.
            if marks.seen[branch.pattern as usize] != stamp
                && self
                    .conditions
                    .hold(branch, bits, &mut |l| self.mark(l, marks, codes))
            {
                marks.add(branch.pattern, out);
            }
        }
        marks.triggered = triggered;
        words
    }

    /// Where literal `l` is on the current line, `codes`: as the walk found it, or,
    /// for a literal the automaton leaves out, as a search finds it now (once a line).
    fn mark(&self, l: u32, marks: &mut LineMarks, codes: &[u8]) -> Option<LiteralMark> {
        let l = l as usize;
        let stamp = marks.stamp;
        if marks.literals[l].stamp == stamp {
            return Some(marks.literals[l]);
        }
        let unwalked = l.checked_sub(self.walked)?;
        if std::mem::replace(&mut marks.looked[unwalked], stamp) == stamp {
            return None;
        }
        let (ahead, back) = &self.unwalked[unwalked];
        let first = ahead.find(codes)?;
        let last = back.rfind(codes)?;
        let found = LiteralMark {
            stamp,
            first_end: (first + ahead.needle().len()) as u32,
            last_start: last as u32,
        };
        marks.literals[l] = found;
        Some(found)
    }
}

/// A literal id's bit in a 64-bit summary of a set of literals (ids modulo 64).
fn literal_bit(id: u32) -> u64 {
    1 << (id % 64)
}

/// Whether `haystack` holds `needle`, ignoring ASCII case: candidates for the first
/// byte found by `memchr`, the rest compared.
fn contains_ignoring_case(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    memchr::memchr2_iter(lower, upper, haystack).any(|at| {
        haystack
            .get(at + 1..at + 1 + rest.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(rest))
    })
}

/// The id of `lit` in `literals`, added when new.
fn intern(ids: &mut HashMap<String, usize>, literals: &mut Vec<String>, lit: &str) -> usize {
    let lit = lit.to_ascii_lowercase();
    if let Some(&id) = ids.get(&lit) {
        return id;
    }
    literals.push(lit.clone());
    ids.insert(lit, literals.len() - 1);
    literals.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(regex: &str, entry: usize) -> Compiled {
        let hir = regex_syntax::parse(regex).unwrap();
        let literals = literals::required(&hir)
            .map(|r| r.literals)
            .unwrap_or_default();
        Compiled {
            entry,
            index: 0,
            regex: Regex::new(regex).unwrap(),
            has_names: false,
            near: None,
            weight: 1.0,
            specificity: 0.5,
            weak: false,
            short: if literals.is_empty() {
                literals::short_required(&hir)
            } else {
                Vec::new()
            },
            literals,
            branches: literals::branch_sets(&hir),
        }
    }

    fn candidates(set: &PatternSet, line: &str) -> Vec<u32> {
        let mut out = Vec::new();
        set.scan_line(line, &mut LineMarks::new(set), &mut out);
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
        assert_eq!(candidates(&set, "resolver failed for DNS"), vec![0]);
        assert_eq!(candidates(&set, "the resolver is fine"), Vec::<u32>::new());
        // Both words, in the wrong order for the regex: not worth running it.
        assert!(!set.patterns[0].regex.is_match("DNS resolver failed"));
        assert_eq!(candidates(&set, "DNS resolver failed"), Vec::<u32>::new());
    }

    #[test]
    fn the_same_pass_finds_keywords_probes_and_truncation_notices() {
        let set = PatternSet::from_patterns(vec![compiled("access denied", 0)]);
        let words = |line: &str| set.scan_line(line, &mut LineMarks::new(&set), &mut Vec::new());
        let bit = |word: &str| 1u64 << classify::keywords().position(|k| k == word).unwrap();
        let error = words("ERROR: access denied");
        assert_eq!(error.keywords, bit("error") | bit("error:") | bit("denied"));
        assert_eq!(error.probes, 0);
        assert!(!error.truncation);
        let node = words("Found in cache @ /opt/hostedtoolcache/node/20.11.0/x64");
        let probe = env::probe_literals().position(|l| l == "/node/").unwrap();
        assert_ne!(node.probes & 1 << probe, 0);
        assert!(words("Job's log exceeded limit of 4194304 bytes.").truncation);
    }

    #[test]
    fn literals_must_come_in_the_regex_order() {
        let set =
            PatternSet::from_patterns(vec![compiled(r"(?i)(410.*gone|version.*deprecated)", 0)]);
        assert_eq!(candidates(&set, "API version 2 is deprecated"), vec![0]);
        assert_eq!(
            candidates(
                &set,
                "npm WARN deprecated x@1.0.0: this version is no longer supported"
            ),
            Vec::<u32>::new()
        );
        // A later occurrence still counts; overlapping occurrences do not.
        assert_eq!(candidates(&set, "deprecated version, deprecated"), vec![0]);
        let set = PatternSet::from_patterns(vec![compiled(r"abcd.*cdef", 0)]);
        assert_eq!(candidates(&set, "abcdef"), Vec::<u32>::new());
        assert_eq!(candidates(&set, "abcd cdef"), vec![0]);
    }

    #[test]
    fn a_literal_triggers_only_the_branches_it_starts() {
        let set = PatternSet::from_patterns(vec![compiled(
            r"(?i)(FetchContent.*failed|download.*failed|fetch.*timeout)",
            0,
        )]);
        assert_eq!(candidates(&set, "FetchContent step failed"), vec![0]);
        assert_eq!(candidates(&set, "download of boost failed"), vec![0]);
        assert_eq!(candidates(&set, "fetch: operation timeout"), vec![0]);
        // `fetch` with `failed`, `download` with `timeout`: each word is some
        // branch's, but no branch holds.
        assert_eq!(candidates(&set, "fetch failed"), Vec::<u32>::new());
        assert_eq!(candidates(&set, "download timeout"), Vec::<u32>::new());
        // Two branches hold: the pattern is a candidate once.
        assert_eq!(candidates(&set, "download failed, fetch timeout"), vec![0]);
    }

    /// The prefilter never drops a pattern of `catalog` that matches: every line of the
    /// real logs in `dirs`, against every pattern.
    fn assert_nothing_filtered_out(catalog: &Catalog, dirs: &[&str]) {
        let matcher = crate::matcher::Matcher::new(catalog);
        let set = matcher.patterns();
        let mut marks = LineMarks::new(set);
        let mut lines = 0;
        for dir in dirs {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|x| x != "log") {
                    continue;
                }
                let bytes = std::fs::read(&path).unwrap();
                for raw in String::from_utf8_lossy(&bytes).lines() {
                    let line = crate::logtext::shown(raw);
                    let mut out = Vec::new();
                    set.scan_line(&line, &mut marks, &mut out);
                    set.add_literal_free(&line, &mut marks, &mut out);
                    for (pi, p) in set.patterns.iter().enumerate() {
                        if p.regex.is_match(&line) {
                            assert!(
                                out.contains(&(pi as u32)),
                                "{}: pattern {} of entry {} matches but was filtered out: {line}",
                                path.display(),
                                p.regex,
                                p.entry
                            );
                        }
                    }
                    lines += 1;
                }
            }
        }
        assert!(lines > 1000, "only {lines} lines checked");
    }

    #[test]
    fn no_matching_pattern_is_filtered_out() {
        let catalog = crate::catalog::load(&["catalog"]).catalog;
        assert_nothing_filtered_out(&catalog, &["tests/golden", "tests/eval/cases"]);
    }

    /// The imported deadends.dev catalog (about 2,000 entries, most patterns
    /// alternations of common words) on the same logs and its own labelled cases.
    #[test]
    fn no_matching_imported_pattern_is_filtered_out() {
        let src = std::path::Path::new("../shared/data/deadends");
        if !src.is_dir() {
            eprintln!("skipped: {} is absent", src.display());
            return;
        }
        let import = crate::import::deadends::convert(src, &mut |_, _| {}).unwrap();
        let dir = tempfile::tempdir().unwrap();
        crate::import::write(dir.path(), &import.files).unwrap();
        let catalog = crate::catalog::load(&[dir.path()]).catalog;
        assert!(catalog.entries().len() > 1500);
        assert_nothing_filtered_out(
            &catalog,
            &[
                "tests/golden",
                "tests/eval/cases",
                "tests/eval-deadends/cases",
            ],
        );
    }

    #[test]
    fn literal_free_patterns_are_listed() {
        let set = PatternSet::from_patterns(vec![compiled(r"\w+ \d+", 0)]);
        assert_eq!(set.literal_free, vec![0]);
    }

    #[test]
    fn literal_free_patterns_still_need_their_short_strings() {
        let set = PatternSet::from_patterns(vec![compiled(r"(?i)\\[0-9]{3}|etag.*mismatch|W/", 0)]);
        assert_eq!(set.literal_free, vec![0]);
        let free = |line: &str| {
            let mut out = Vec::new();
            set.add_literal_free(line, &mut LineMarks::new(&set), &mut out);
            out
        };
        assert_eq!(free("error: nothing here"), Vec::<u32>::new());
        assert_eq!(free(r"path \303\244 quoted"), vec![0]);
        assert_eq!(free("ETag w/\"abc\" mismatch"), vec![0]);
    }
}
