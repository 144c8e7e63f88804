//! One streaming pass over a log: every line is normalised, scored, and checked against
//! all patterns at once. Memory stays bounded: only hits, the best error lines and a
//! short window of recent lines (for `near` patterns) are kept.

use super::Baseline;
use super::patterns::{LineMarks, PatternSet};
use crate::logtext::classify::{self, Score};
use crate::logtext::env::Environment;
use crate::logtext::input::{self, Part};
use crate::logtext::{Marker, Normalizer};
use std::collections::{BinaryHeap, VecDeque};
use std::io;

/// Hits kept per pattern (first ones and the latest ones).
const HITS_PER_PATTERN: usize = 8;
/// Error lines kept for ranking and display.
const ERROR_LINES_KEPT: usize = 64;

/// A line where a pattern matched.
#[derive(Debug, Clone)]
pub struct Hit {
    pub pattern: u32,
    /// Position in the whole input (0-based, across zip parts): orders hits.
    pub seq: u64,
    pub line: u64,
    pub step: usize,
    pub text: String,
    pub captures: Vec<(String, String)>,
    pub score: Score,
    /// The line the `near` regex matched.
    pub near: Option<(u64, String)>,
    /// The line also occurs in the passing baseline run.
    pub in_baseline: bool,
    /// Share of the line's visible text the match spans: 1 when the line is exactly
    /// the message, small for a fragment of a long line.
    pub coverage: f32,
}

/// A kept error-like line.
#[derive(Debug, Clone)]
pub struct Scored {
    pub seq: u64,
    pub line: u64,
    pub step: usize,
    pub text: String,
    pub score: Score,
}

impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}
impl Eq for Scored {}
impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scored {
    /// Reversed, so the heap's top is the weakest kept line.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .score
            .value
            .total_cmp(&self.score.value)
            .then(self.seq.cmp(&other.seq))
    }
}

/// A primary match waiting for its `near` regex in the lines after it.
struct Pending {
    hit: Hit,
    until: u64,
}

/// Everything the pass found.
pub struct Scanned {
    pub hits: Vec<Hit>,
    pub error_lines: Vec<Scored>,
    pub normalizer: Normalizer,
    pub environment: Environment,
    pub lines: u64,
    pub cut_lines: u64,
    pub truncation_notice: bool,
}

/// Hits, bounded per pattern.
struct HitStore {
    hits: Vec<Hit>,
    counts: Vec<usize>,
}

impl HitStore {
    /// Keeps the first hits of a pattern and, beyond that, replaces the latest one
    /// (the end of a log is where failures are).
    fn record(&mut self, hit: Hit) {
        let count = &mut self.counts[hit.pattern as usize];
        *count += 1;
        if *count <= HITS_PER_PATTERN {
            self.hits.push(hit);
        } else if let Some(last) = self
            .hits
            .iter_mut()
            .rev()
            .find(|h| h.pattern == hit.pattern)
        {
            *last = hit;
        }
    }
}

/// The scan state.
pub struct Scan<'a> {
    set: &'a PatternSet,
    baseline: Option<&'a Baseline>,
    normalizer: Normalizer,
    environment: Environment,
    marks: LineMarks,
    candidates: Vec<u32>,
    hits: HitStore,
    pending: Vec<Pending>,
    recent: VecDeque<(u64, String)>,
    best: BinaryHeap<Scored>,
    seq: u64,
    cut_lines: u64,
    truncation_notice: bool,
    /// The score of the previous line when it ended with `:`.
    colon_line: Option<Score>,
}

impl<'a> Scan<'a> {
    pub fn new(set: &'a PatternSet, baseline: Option<&'a Baseline>) -> Scan<'a> {
        Scan {
            set,
            baseline,
            normalizer: Normalizer::new(),
            environment: Environment::default(),
            marks: LineMarks::new(set),
            candidates: Vec::new(),
            hits: HitStore {
                hits: Vec::new(),
                counts: vec![0; set.patterns.len()],
            },
            pending: Vec::new(),
            recent: VecDeque::new(),
            best: BinaryHeap::new(),
            seq: 0,
            cut_lines: 0,
            truncation_notice: false,
            colon_line: None,
        }
    }

    /// Reads every part to its end.
    pub fn run(mut self, parts: Vec<Part>) -> io::Result<Scanned> {
        let mut buf = Vec::with_capacity(4096);
        for mut part in parts {
            self.normalizer.start_part(part.step.as_deref());
            let mut number = 0;
            while let Some(cut) = input::read_line(&mut part.reader, &mut buf)? {
                number += 1;
                self.cut_lines += u64::from(cut);
                self.line(&buf, number);
            }
        }
        Ok(self.finish())
    }

    fn line(&mut self, raw: &[u8], number: u64) {
        let seq = self.seq;
        self.seq += 1;
        let Some(line) = self.normalizer.line(raw, number) else {
            return;
        };
        let (text, step) = (line.text, line.step);
        self.candidates.clear();
        let words = self
            .set
            .scan_line(text, &mut self.marks, &mut self.candidates);
        let mut score = classify::score(text, line.marker, line.echo, words.keywords);
        if let Some(previous) = self.colon_line.take()
            && !text.trim().is_empty()
        {
            score.continue_from(&previous);
        }
        if text.trim_end().ends_with(':') {
            self.colon_line = Some(score);
        }
        if words.probes != 0 {
            self.environment.observe(words.probes, text);
        }
        self.truncation_notice |= words.truncation;
        let in_baseline = score.value > 0.0 && self.baseline.is_some_and(|b| b.contains(text));
        if in_baseline {
            score.value *= 0.2;
        }

        let errorish = score.is_errorish() || line.marker == Marker::Error;
        if errorish {
            self.set
                .add_literal_free(text, &mut self.marks, &mut self.candidates);
        }

        // Lines after a primary match may complete its `near` condition.
        if !self.pending.is_empty() {
            let set = self.set;
            let mut done = Vec::new();
            self.pending.retain_mut(|p| {
                if seq > p.until {
                    return false;
                }
                let near = set.patterns[p.hit.pattern as usize].near.as_ref();
                if near.is_some_and(|n| n.regex.is_match(text)) {
                    p.hit.near = Some((number, text.to_string()));
                    done.push(p.hit.clone());
                    return false;
                }
                true
            });
            for hit in done {
                self.hits.record(hit);
            }
        }

        for i in 0..self.candidates.len() {
            let pi = self.candidates[i];
            let pattern = &self.set.patterns[pi as usize];
            if pattern.weak && !errorish {
                continue;
            }
            let (captures, matched) = if pattern.has_names {
                let Some(caps) = pattern.regex.captures(text) else {
                    continue;
                };
                let names = pattern
                    .regex
                    .capture_names()
                    .flatten()
                    .filter_map(|name| {
                        Some((name.to_string(), caps.name(name)?.as_str().to_string()))
                    })
                    .collect();
                (names, caps.get(0).map_or(0, |m| m.len()))
            } else if let Some(found) = pattern.regex.find(text) {
                (Vec::new(), found.len())
            } else {
                continue;
            };
            let visible = text.trim().len().max(1);
            let mut hit = Hit {
                pattern: pi,
                seq,
                line: number,
                step,
                text: text.to_string(),
                captures,
                score,
                near: None,
                in_baseline,
                coverage: (matched as f32 / visible as f32).min(1.0),
            };
            match &pattern.near {
                None => self.hits.record(hit),
                Some(near) => {
                    let before = near.before as usize;
                    let found = self
                        .recent
                        .iter()
                        .rev()
                        .take(before)
                        .find(|(_, t)| near.regex.is_match(t));
                    if let Some((n, t)) = found {
                        hit.near = Some((*n, t.clone()));
                        self.hits.record(hit);
                    } else if near.after > 0 {
                        self.pending.push(Pending {
                            hit,
                            until: seq + u64::from(near.after),
                        });
                    }
                }
            }
        }

        let weakest = self.best.peek().map_or(0.0, |w| w.score.value);
        if score.value > 0.0 && (self.best.len() < ERROR_LINES_KEPT || score.value > weakest) {
            self.best.push(Scored {
                seq,
                line: number,
                step,
                text: text.to_string(),
                score,
            });
            if self.best.len() > ERROR_LINES_KEPT {
                self.best.pop();
            }
        }
        if self.set.max_before > 0 {
            let slot = if self.recent.len() >= self.set.max_before {
                self.recent.pop_front().map(|(_, s)| s)
            } else {
                None
            };
            let mut slot = slot.unwrap_or_default();
            slot.clear();
            slot.push_str(text);
            self.recent.push_back((number, slot));
        }
    }

    fn finish(self) -> Scanned {
        let mut error_lines = self.best.into_vec();
        error_lines.sort();
        Scanned {
            hits: self.hits.hits,
            error_lines,
            normalizer: self.normalizer,
            environment: self.environment,
            lines: self.seq,
            cut_lines: self.cut_lines,
            truncation_notice: self.truncation_notice,
        }
    }
}
