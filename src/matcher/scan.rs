//! One streaming pass over a log: every line is normalised, scored, and checked against
//! all patterns at once. Memory stays bounded: only hits, the best error lines and a
//! short window of recent lines (for `near` patterns) are kept.

use super::Baseline;
use super::lanes::Lanes;
use super::patterns::{Compiled, LineMarks, PatternSet};
use crate::logtext::classify::{self, Score};
use crate::logtext::env::Environment;
use crate::logtext::input::{self, Part};
use crate::logtext::{Line, Marker, Normalizer};
use std::collections::{BinaryHeap, VecDeque};
use std::io;

/// Hits kept per pattern (first ones and the latest ones).
const HITS_PER_PATTERN: usize = 8;
/// Error lines kept for ranking and display.
const ERROR_LINES_KEPT: usize = 64;
/// Normalised lines held back to walk the literal automaton over together (see
/// [`Lanes`]): at most this many lines, or about this many bytes.
const BATCH_LINES: usize = 256;
const BATCH_BYTES: usize = 64 << 10;

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
    /// A second line confirming the hit: where the `near` regex matched, or the line
    /// that completes a header ending in `:` (see [`Header`]).
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

/// A line ending in `:` (`npm error Could not resolve dependency:`): the next line
/// completes its statement, so patterns are also tried on the two read as one.
struct Header {
    seq: u64,
    line: u64,
    step: usize,
    text: String,
    score: Score,
}

/// Where a regex matched a text, and its named groups.
struct RegexMatch {
    start: usize,
    end: usize,
    captures: Vec<(String, String)>,
}

/// Runs `pattern`'s regex on `text`, with captures only when it has named groups.
fn run_regex(pattern: &Compiled, text: &str) -> Option<RegexMatch> {
    if !pattern.has_names {
        let m = pattern.regex.find(text)?;
        return Some(RegexMatch {
            start: m.start(),
            end: m.end(),
            captures: Vec::new(),
        });
    }
    let caps = pattern.regex.captures(text)?;
    let whole = caps.get(0)?;
    let captures = pattern
        .regex
        .capture_names()
        .flatten()
        .filter_map(|name| Some((name.to_string(), caps.name(name)?.as_str().to_string())))
        .collect();
    Some(RegexMatch {
        start: whole.start(),
        end: whole.end(),
        captures,
    })
}

/// The statement a header and the line after it make: the header, then the line
/// without the prefix both share (a tool's `npm error `, `[ERROR] `). Also returns
/// where the header ends in it.
fn join_continuation(header: &str, next: &str) -> (String, usize) {
    let header = header.trim_end();
    // Only whole words of the common prefix are dropped: it ends after a space both
    // lines have at the same place (ASCII, so always a character boundary).
    let cut = header
        .bytes()
        .zip(next.bytes())
        .take_while(|(a, b)| a == b)
        .enumerate()
        .filter(|(_, (b, _))| b.is_ascii_whitespace())
        .last()
        .map_or(0, |(i, _)| i + 1);
    let joined = format!("{header} {}", next[cut..].trim_start());
    (joined, header.len())
}

/// A primary match waiting for its `near` regex in the lines after it.
struct Pending {
    hit: Hit,
    until: u64,
}

/// Normalised lines waiting for their walk, with what [`Scan::line`] needs of each.
#[derive(Default)]
struct Batch {
    /// Their texts, one after another.
    text: String,
    /// Per line: its position in the input, where its text ends in `text`, and the
    /// normaliser's reading of it (its `text` field is unused).
    lines: Vec<(u64, usize, Line<'static>)>,
    lanes: Lanes,
}

impl Batch {
    fn push(&mut self, seq: u64, line: Line<'_>) {
        self.text.push_str(line.text);
        self.lanes.push(line.text.as_bytes());
        self.lines
            .push((seq, self.text.len(), Line { text: "", ..line }));
    }

    fn is_full(&self) -> bool {
        self.lanes.lines() >= BATCH_LINES || self.lanes.bytes() >= BATCH_BYTES
    }

    fn clear(&mut self) {
        self.text.clear();
        self.lines.clear();
        self.lanes.clear();
    }
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
    /// Candidates of a header joined with its next line.
    joined_candidates: Vec<u32>,
    hits: HitStore,
    pending: Vec<Pending>,
    recent: VecDeque<(u64, String)>,
    best: BinaryHeap<Scored>,
    seq: u64,
    cut_lines: u64,
    truncation_notice: bool,
    /// The previous line, when it ended with `:`.
    header: Option<Header>,
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
            joined_candidates: Vec::new(),
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
            header: None,
        }
    }

    /// Reads every part to its end.
    pub fn run(mut self, parts: Vec<Part>) -> io::Result<Scanned> {
        let mut buf = Vec::with_capacity(4096);
        let mut batch = Batch::default();
        for mut part in parts {
            self.normalizer.start_part(part.step.as_deref());
            let mut number = 0;
            while let Some(cut) = input::read_line(&mut part.reader, &mut buf)? {
                number += 1;
                self.cut_lines += u64::from(cut);
                let seq = self.seq;
                self.seq += 1;
                if let Some(line) = self.normalizer.line(&buf, number) {
                    batch.push(seq, line);
                }
                if batch.is_full() {
                    self.scan_batch(&mut batch);
                }
            }
        }
        self.scan_batch(&mut batch);
        Ok(self.finish())
    }

    /// Walks the automaton over the batch's lines together, then reads each in order.
    fn scan_batch(&mut self, batch: &mut Batch) {
        self.set.walk(&mut batch.lanes);
        let mut from = 0;
        for (i, &(seq, end, line)) in batch.lines.iter().enumerate() {
            let text = &batch.text[from..end];
            from = end;
            self.line(seq, Line { text, ..line }, &batch.lanes, i);
        }
        batch.clear();
    }

    /// Reads normalised `line`, the `index`th line of walked `lanes`.
    fn line(&mut self, seq: u64, line: Line<'_>, lanes: &Lanes, index: usize) {
        let number = line.number;
        let (text, step) = (line.text, line.step);
        self.candidates.clear();
        let words = self
            .set
            .scan_walked(lanes, index, &mut self.marks, &mut self.candidates);
        let mut score = classify::score(text, line.marker, line.echo, words.keywords);
        let header = self
            .header
            .take()
            .filter(|h| h.step == step && !text.trim().is_empty());
        if let Some(h) = &header {
            score.continue_from(&h.score);
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
            let Some(found) = run_regex(pattern, text) else {
                continue;
            };
            let visible = text.trim().len().max(1);
            let mut hit = Hit {
                pattern: pi,
                seq,
                line: number,
                step,
                text: text.to_string(),
                captures: found.captures,
                score,
                near: None,
                in_baseline,
                coverage: ((found.end - found.start) as f32 / visible as f32).min(1.0),
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

        // Copied: the join is tried last, once the normaliser's line is done with.
        let across = header.map(|h| (h, text.to_string()));
        if text.trim_end().ends_with(':') {
            self.header = Some(Header {
                seq,
                line: number,
                step,
                text: text.to_string(),
                score,
            });
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
        if let Some((h, next)) = across {
            self.match_across(&h, &next, number, score);
        }
    }

    /// Records hits of patterns that match `header` and the line after it read as
    /// one statement, and only so (across the join). The hit is the header's line,
    /// confirmed by the next one. Patterns with their own `near` condition are left
    /// to it.
    fn match_across(&mut self, header: &Header, text: &str, number: u64, score: Score) {
        let (joined, boundary) = join_continuation(&header.text, text);
        let errorish = header.score.is_errorish() || score.is_errorish();
        self.joined_candidates.clear();
        self.set
            .scan_line(&joined, &mut self.marks, &mut self.joined_candidates);
        for &pi in &self.joined_candidates {
            let pattern = &self.set.patterns[pi as usize];
            if pattern.near.is_some() || (pattern.weak && !errorish) {
                continue;
            }
            let Some(found) = run_regex(pattern, &joined) else {
                continue;
            };
            if found.start >= boundary || found.end <= boundary + 1 {
                continue;
            }
            let strongest = if score.value > header.score.value {
                score
            } else {
                header.score
            };
            self.hits.record(Hit {
                pattern: pi,
                seq: header.seq,
                line: header.line,
                step: header.step,
                text: header.text.clone(),
                captures: found.captures,
                score: strongest,
                near: Some((number, text.to_string())),
                in_baseline: false,
                coverage: ((found.end - found.start) as f32 / joined.len().max(1) as f32).min(1.0),
            });
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

#[cfg(test)]
mod tests {
    use super::join_continuation;

    #[test]
    fn a_continuation_drops_the_prefix_it_shares_with_its_header() {
        let (joined, at) = join_continuation(
            "npm error Could not resolve dependency:  ",
            "npm error peer vite@\"^2.9.0\" from @crxjs/vite-plugin@1.0.14",
        );
        assert_eq!(
            joined,
            "npm error Could not resolve dependency: peer vite@\"^2.9.0\" from @crxjs/vite-plugin@1.0.14"
        );
        assert_eq!(&joined[..at], "npm error Could not resolve dependency:");
        // Only whole words are shared: `[ERROR] Failed` and `[ERROR] Fatal` share `[ERROR] `.
        let (joined, _) = join_continuation("[ERROR] Failed to compile:", "[ERROR] Fatal error");
        assert_eq!(joined, "[ERROR] Failed to compile: Fatal error");
        // Nothing shared, and multi-byte text at the split point.
        let (joined, _) = join_continuation("é:", "ø");
        assert_eq!(joined, "é: ø");
        let (joined, _) = join_continuation("错误　原因:", "错误　找不到");
        assert_eq!(joined, "错误　原因: 错误　找不到");
    }
}
