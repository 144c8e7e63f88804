//! From hits to diagnoses: per entry, combine how specific the pattern is, how
//! error-like the line is, where it sits (failing step, late in the log) and what
//! corroborates it into a confidence in [0, 1]; order by the catalog's relations (a
//! cause before the error it leads to); abstain below [`ABSTAIN_BELOW`].

use super::report::{Diagnosis, ErrorLine, Evidence, MatchKind, Report};
use super::scan::{Hit, Scanned, Scored};
use super::{Matcher, Options, words};
use crate::logtext::{Ci, mask, redact};
use std::collections::{BTreeMap, HashMap};

/// Diagnoses below this confidence are not reported ("no known error"). The value is
/// set from `logdoc eval` measurements; see README "Quality".
pub const ABSTAIN_BELOW: f64 = 0.6;

/// Error lines shown in a report.
const ERROR_LINES_SHOWN: usize = 10;
/// Evidence lines shown per diagnosis.
const EVIDENCE_SHOWN: usize = 4;
/// Confidence lost per warning about incomplete evidence.
const WARNING_PENALTY: f64 = 0.08;
/// Specificity below which a pattern is loose: it requires only a common phrase
/// (`not found`, `already exists`), so a hit says little unless the line also
/// resembles the entry's signature.
const LOOSE_BELOW: f64 = 0.5;
/// Strength a hit of a fully loose pattern (specificity 0) on a line sharing nothing
/// with the signature loses; scaled down as either grows.
const LOOSE_PENALTY: f64 = 0.2;

/// Strength a hit on wrapper noise (`FAILURE: Build failed with an exception`) loses
/// when the log has a better, non-wrapper error line: the wrapper only reports that
/// something failed.
const WRAPPER_PENALTY: f64 = 0.15;

/// What the whole log says about a hit's context.
struct Context {
    failing_step: Option<usize>,
    total: u64,
    /// The highest error-ness of any line, to rate lines relative to the log.
    top_score: f32,
    /// Some error-like line is not wrapper noise.
    better_than_wrappers: bool,
    /// The words of each line with a hit, with its position in the log, sorted by it.
    line_words: Vec<(u64, Vec<u64>)>,
}

/// Strength of one hit as evidence for its entry, in [0, 1]: how specific the pattern
/// is, how much the line resembles the entry's signature, how error-like the line is
/// compared with the log's most error-like line, how much of the line the match spans,
/// and where it sits. A loose pattern's hit on a line unlike the signature is
/// discounted.
fn hit_strength(m: &Matcher, hit: &Hit, cx: &Context) -> f64 {
    let p = &m.patterns().patterns[hit.pattern as usize];
    let resemblance = cx
        .line_words
        .binary_search_by_key(&hit.seq, |(seq, _)| *seq)
        .map_or(0.0, |i| {
            m.entry(p.entry).signature.resemblance(&cx.line_words[i].1)
        });
    let errorness = if cx.top_score > 0.0 {
        f64::from((hit.score.value / cx.top_score).min(1.0))
    } else {
        0.0
    };
    let in_failing_step = cx.failing_step == Some(hit.step);
    let late = if cx.total > 0 {
        hit.seq as f64 / cx.total as f64
    } else {
        0.0
    };
    let mut s = 0.30
        + 0.30 * p.specificity
        + 0.15 * resemblance
        + 0.12 * errorness
        + 0.08 * f64::from(hit.coverage)
        + 0.05 * f64::from(u8::from(in_failing_step))
        + 0.03 * late;
    if hit.near.is_some() {
        s += 0.05;
    }
    // A loose pattern names its entry only as far as the line looks like the entry's
    // signature: a common phrase on an unrelated line is weak evidence.
    let looseness = (1.0 - p.specificity / LOOSE_BELOW).max(0.0);
    s -= LOOSE_PENALTY * looseness * (1.0 - resemblance);
    if hit.score.wrapper && cx.better_than_wrappers {
        s -= WRAPPER_PENALTY;
    }
    if hit.in_baseline {
        s *= 0.5;
    }
    // A pattern of weight 1 counts fully; lower weights scale the hit down (see the
    // catalog README on `weight`).
    (s * (0.5 + 0.5 * p.weight)).min(1.0)
}

/// Combines the best hit with corroborating hits of other patterns on other lines: each
/// closes half of the remaining gap its own strength would.
fn combine(best: f64, others: impl Iterator<Item = f64>) -> f64 {
    others.fold(best, |acc, s| acc + (1.0 - acc) * 0.5 * s)
}

/// Builds the report for one scanned log.
pub fn rank(m: &Matcher, file: &str, scanned: Scanned, options: &Options<'_>) -> Report {
    let steps = scanned.normalizer.steps();
    let ci = scanned.normalizer.ci();
    let failing_step = scanned
        .normalizer
        .last_error_step
        .or_else(|| scanned.error_lines.first().map(|l| l.step));
    let warnings = warnings(&scanned, ci);
    let penalty = 1.0 - WARNING_PENALTY * warnings.len() as f64;
    let multi_step = steps.len() > 1;
    let step_name = |i: usize| multi_step.then(|| steps[i].name.clone());

    let context = Context {
        failing_step,
        total: scanned.lines,
        top_score: scanned
            .error_lines
            .iter()
            .filter(|l| !l.score.wrapper)
            .map(|l| l.score.value)
            .fold(0.0, f32::max),
        better_than_wrappers: scanned
            .error_lines
            .iter()
            .any(|l| !l.score.wrapper && l.score.is_errorish()),
        line_words: {
            let mut lines: Vec<(u64, &str)> = scanned
                .hits
                .iter()
                .map(|h| (h.seq, h.text.as_str()))
                .collect();
            lines.sort_unstable_by_key(|(seq, _)| *seq);
            lines.dedup_by_key(|(seq, _)| *seq);
            lines
                .into_iter()
                .map(|(seq, text)| (seq, words::word_set(text)))
                .collect()
        },
    };
    // Group hits by entry.
    let mut by_entry: HashMap<usize, Vec<&Hit>> = HashMap::new();
    for hit in &scanned.hits {
        let entry = m.patterns().patterns[hit.pattern as usize].entry;
        by_entry.entry(entry).or_default().push(hit);
    }
    let mut found: Vec<Found> = by_entry
        .into_iter()
        .map(|(entry, hits)| {
            let strengths: Vec<f64> = hits.iter().map(|h| hit_strength(m, h, &context)).collect();
            let (best_i, best) = strengths
                .iter()
                .copied()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(&b.1).then(hits[b.0].seq.cmp(&hits[a.0].seq)))
                .unwrap_or((0, 0.0));
            let best_hit = hits[best_i];
            // The strongest hit of each other pattern, on lines other than the best one.
            let mut others: HashMap<u32, f64> = HashMap::new();
            for (h, s) in hits.iter().zip(&strengths) {
                if h.pattern != best_hit.pattern && h.line != best_hit.line {
                    let slot = others.entry(h.pattern).or_insert(0.0);
                    *slot = slot.max(*s);
                }
            }
            let mut confidence = (combine(best, others.into_values()) * penalty).clamp(0.0, 0.99);
            // Wrapper noise marks a failure, never its cause: an entry with nothing but
            // wrapper lines is not reported while the log has a better line.
            if context.better_than_wrappers && hits.iter().all(|h| h.score.wrapper) {
                confidence = confidence.min(ABSTAIN_BELOW - 0.01);
            }
            let mut lines: Vec<(usize, u64)> = hits.iter().map(|h| (h.step, h.line)).collect();
            lines.sort_unstable();
            lines.dedup();
            Found {
                entry,
                lines,
                confidence: round(confidence),
                source: Source::Hits {
                    best: best_hit,
                    hits,
                },
            }
        })
        .collect();

    credit_subsuming(m, &mut found);
    // Only what clears the threshold is reported (and only that can be reordered).
    found.retain(|f| f.confidence >= ABSTAIN_BELOW);
    if let Some(fuzzy) = options.fuzzy {
        reclaim_loose_lines(m, fuzzy, &scanned.error_lines, &mut found);
    }
    // No convincing pattern match: the error lines' resemblance to signatures decides.
    if found.is_empty()
        && let Some(fuzzy) = options.fuzzy
    {
        found = fuzzy_matches(m, fuzzy, &scanned.error_lines, penalty);
        found.retain(|f| f.confidence >= ABSTAIN_BELOW);
    }
    order_by_relations(m, &mut found);
    let diagnoses: Vec<Diagnosis> = found
        .into_iter()
        .take(options.top)
        .map(|f| match f.source {
            Source::Hits { hits, best } => diagnosis(
                m,
                f.entry,
                &hits,
                best,
                f.confidence,
                failing_step,
                &step_name,
            ),
            Source::Fuzzy(line) => {
                let why = format!(
                    "no pattern matched; line {} resembles the entry's signature",
                    line.line
                );
                fuzzy_diagnosis(m, f.entry, line, f.confidence, why, &step_name)
            }
            Source::Reclaimed { line, from } => {
                let why = format!(
                    "line {} resembles the entry's signature far more than any other's; a loose pattern of {} also matched it",
                    line.line,
                    m.entry(from).id
                );
                fuzzy_diagnosis(m, f.entry, line, f.confidence, why, &step_name)
            }
        })
        .collect();

    Report {
        file: file.to_string(),
        diagnoses,
        error_lines: display_order(&scanned.error_lines)
            .into_iter()
            .take(ERROR_LINES_SHOWN)
            .map(|l| ErrorLine {
                line: l.line,
                text: redact::redact(&l.text).into_owned(),
                score: (l.score.normalized() * 100.0).round() / 100.0,
                step: step_name(l.step),
            })
            .collect(),
        environment: scanned.environment.values.clone(),
        warnings,
        ci,
        failing_step: failing_step
            .filter(|_| multi_step)
            .map(|i| steps[i].name.clone()),
        lines: scanned.lines,
    }
}

fn diagnosis(
    m: &Matcher,
    entry: usize,
    hits: &[&Hit],
    best: &Hit,
    confidence: f64,
    failing_step: Option<usize>,
    step_name: &dyn Fn(usize) -> Option<String>,
) -> Diagnosis {
    // Evidence: the best hit, its near line, then other hits in log order.
    let mut lines: Vec<(u64, usize, &str)> = vec![(best.line, best.step, &best.text)];
    if let Some((n, t)) = &best.near {
        lines.push((*n, best.step, t));
    }
    for h in hits {
        if lines.len() >= EVIDENCE_SHOWN {
            break;
        }
        if !lines.iter().any(|(n, s, _)| *n == h.line && *s == h.step) {
            lines.push((h.line, h.step, &h.text));
        }
    }
    lines.sort_by_key(|(n, s, _)| (*s, *n));
    let mut captures = BTreeMap::new();
    for h in std::iter::once(&best).chain(hits.iter()) {
        for (k, v) in &h.captures {
            captures
                .entry(k.clone())
                .or_insert_with(|| redact::redact(v).into_owned());
        }
    }
    let pattern = &m.patterns().patterns[best.pattern as usize];
    let mut why = format!("pattern {} matched line {}", pattern.index + 1, best.line);
    if let Some(name) = step_name(best.step) {
        why.push_str(&format!(" in step \"{name}\""));
        if failing_step == Some(best.step) {
            why.push_str(" (the failing step)");
        }
    }
    if let Some((n, _)) = &best.near {
        why.push_str(&format!(", confirmed by line {n}"));
    }
    if hits.len() > 1 {
        why.push_str(&format!("; {} matching lines in all", hits.len()));
    }
    if best.in_baseline {
        why.push_str("; the line also occurs in the passing baseline run");
    }
    Diagnosis {
        id: m.entry(entry).id.clone(),
        title: m.entry(entry).title.clone(),
        confidence,
        evidence: lines
            .into_iter()
            .map(|(line, step, text)| Evidence {
                line,
                text: redact::redact(text).into_owned(),
                step: step_name(step),
            })
            .collect(),
        captures,
        matched_by: MatchKind::Pattern,
        why,
    }
}

/// Full-text fallback: the best error lines, masked, searched against signatures.
fn fuzzy_matches<'a>(
    m: &Matcher,
    fuzzy: &dyn super::FuzzySearch,
    error_lines: &'a [Scored],
    penalty: f64,
) -> Vec<Found<'a>> {
    let mut best: HashMap<usize, (f64, &Scored)> = HashMap::new();
    for line in error_lines
        .iter()
        .filter(|l| !l.score.wrapper && l.score.is_errorish())
        .take(3)
    {
        for (id, similarity, _) in fuzzy.search(&mask::mask(&line.text), 3) {
            let Some(entry) = m.entry_index(&id) else {
                continue;
            };
            let errorness = f64::from(line.score.normalized());
            let confidence =
                (0.2 + 0.45 * f64::from(similarity) * (0.5 + 0.5 * errorness)) * penalty;
            let slot = best.entry(entry).or_insert((0.0, line));
            if confidence > slot.0 {
                *slot = (confidence, line);
            }
        }
    }
    best.into_iter()
        .map(|(entry, (confidence, line))| Found {
            entry,
            lines: vec![(line.step, line.line)],
            confidence: round(confidence),
            source: Source::Fuzzy(line),
        })
        .collect()
}

/// Least share of its signature the signature search's top entry must cover to take a
/// line from a loose pattern.
const RECLAIM_COVERAGE: f32 = 0.45;
/// How many times the next entry's search score the top entry's must be.
const RECLAIM_LEAD: f32 = 1.5;

/// A reported entry whose best hit is a loose pattern's (a common phrase such as
/// `Could not resolve`) rests on a line the catalog knows of without a sure entry for
/// it. When the signature search puts one other entry clearly first for that line
/// (`npm ERR! ERESOLVE could not resolve`: the npm peer-conflict entry, twice the next
/// score), that entry is the better reading and is reported just above. Only lines a
/// pattern already claimed are searched, so a log the patterns abstain on still
/// abstains.
fn reclaim_loose_lines<'a>(
    m: &Matcher,
    fuzzy: &dyn super::FuzzySearch,
    error_lines: &'a [Scored],
    found: &mut Vec<Found<'a>>,
) {
    // A loose pattern's best hit, per claimed line: (line seq, claimant's confidence,
    // claimant). The strongest claimant of a line (the lowest entry index on a tie) is
    // the one the reclaimed reading must rank above, whatever order `found` is in.
    let mut claims: Vec<(u64, f64, usize)> = Vec::new();
    for f in found.iter() {
        if let Source::Hits { best, .. } = &f.source
            && m.patterns().patterns[best.pattern as usize].specificity < LOOSE_BELOW
        {
            claims.push((best.seq, f.confidence, f.entry));
        }
    }
    claims.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
    claims.dedup_by_key(|c| c.0);
    let mut added: Vec<Found<'a>> = Vec::new();
    for (seq, confidence, from) in claims {
        let Some(line) = error_lines.iter().find(|l| l.seq == seq) else {
            continue;
        };
        let results = fuzzy.search(&mask::mask(&line.text), 2);
        let Some((id, coverage, score)) = results.first() else {
            continue;
        };
        let next = results.get(1).map_or(0.0, |r| r.2);
        if *coverage < RECLAIM_COVERAGE || *score < RECLAIM_LEAD * next {
            continue;
        }
        let Some(entry) = m.entry_index(id) else {
            continue;
        };
        if found.iter().chain(&added).any(|g| g.entry == entry) {
            continue;
        }
        added.push(Found {
            entry,
            lines: vec![(line.step, line.line)],
            confidence: round((confidence + 0.01).min(0.99)),
            source: Source::Reclaimed { line, from },
        });
    }
    found.extend(added);
}

/// A diagnosis resting on the signature search's reading of one line.
fn fuzzy_diagnosis(
    m: &Matcher,
    entry: usize,
    line: &Scored,
    confidence: f64,
    why: String,
    step_name: &dyn Fn(usize) -> Option<String>,
) -> Diagnosis {
    let info = m.entry(entry);
    Diagnosis {
        id: info.id.clone(),
        title: info.title.clone(),
        confidence,
        evidence: vec![Evidence {
            line: line.line,
            text: redact::redact(&line.text).into_owned(),
            step: step_name(line.step),
        }],
        captures: BTreeMap::new(),
        matched_by: MatchKind::Fuzzy,
        why,
    }
}

/// An entry found in the log, before ordering; its diagnosis is built only if shown.
struct Found<'a> {
    entry: usize,
    /// (step, line) of every hit, sorted, without repeats.
    lines: Vec<(usize, u64)>,
    /// Rounded as reported.
    confidence: f64,
    source: Source<'a>,
}

/// What found an entry.
enum Source<'a> {
    Hits {
        hits: Vec<&'a Hit>,
        best: &'a Hit,
    },
    Fuzzy(&'a Scored),
    /// The signature search, on a line a loose pattern of entry `from` claimed.
    Reclaimed {
        line: &'a Scored,
        from: usize,
    },
}

/// Whether every element of sorted `small` is in sorted `big`.
fn is_sorted_subset(small: &[(usize, u64)], big: &[(usize, u64)]) -> bool {
    let mut rest = big.iter();
    small.iter().all(|x| rest.by_ref().any(|y| y == x))
}

/// An entry whose hits include every line of another entry's hits and more explains
/// all the other explains, with corroboration: it is at least as likely, unless its
/// patterns are loose and the other's are not (a loose pattern covers more lines
/// because it matches common phrases, not because it explains more). Credits come
/// from the confidences before any credit, so they do not chain.
fn credit_subsuming(m: &Matcher, found: &mut [Found<'_>]) {
    let specificity: Vec<f64> = found.iter().map(|f| best_specificity(m, f)).collect();
    let before: Vec<f64> = found.iter().map(|f| f.confidence).collect();
    for i in 0..found.len() {
        let best_subsumed = (0..found.len())
            .filter(|&j| j != i && found[j].lines.len() < found[i].lines.len())
            .filter(|&j| specificity[i] >= specificity[j].min(LOOSE_BELOW))
            .filter(|&j| is_sorted_subset(&found[j].lines, &found[i].lines))
            .map(|j| before[j])
            .fold(0.0, f64::max);
        let own = &mut found[i].confidence;
        if best_subsumed >= *own {
            *own = (best_subsumed + 0.001).min(0.99);
        }
    }
}

/// How specific the most specific pattern with a hit for the entry is; 0 for a fuzzy
/// match.
fn best_specificity(m: &Matcher, found: &Found<'_>) -> f64 {
    match &found.source {
        Source::Hits { hits, .. } => hits
            .iter()
            .map(|h| m.patterns().patterns[h.pattern as usize].specificity)
            .fold(0.0, f64::max),
        Source::Fuzzy(_) | Source::Reclaimed { .. } => 0.0,
    }
}

/// Sorts by confidence (on a tie, more matching lines first), then moves each cause
/// ahead of the errors it leads to.
fn order_by_relations(m: &Matcher, found: &mut [Found<'_>]) {
    found.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| b.lines.len().cmp(&a.lines.len()))
            .then_with(|| m.entry(a.entry).id.cmp(&m.entry(b.entry).id))
    });
    // Bounded passes: relations may form cycles.
    for _ in 0..found.len() {
        let mut moved = false;
        for i in 0..found.len() {
            for j in 0..i {
                let (later, earlier) = (found[i].entry, found[j].entry);
                if m.entry(later).causes.contains(&earlier) && found[i].confidence >= ABSTAIN_BELOW
                {
                    found[j..=i].rotate_right(1);
                    moved = true;
                }
            }
        }
        if !moved {
            break;
        }
    }
}

/// Reasons the evidence may be incomplete.
fn warnings(scanned: &Scanned, ci: Ci) -> Vec<String> {
    let mut out = Vec::new();
    let n = &scanned.normalizer;
    if scanned.truncation_notice {
        out.push(
            "truncated: the log says it was cut; the cause may be in the missing part".to_string(),
        );
    } else if n.started && !n.completed && ci != Ci::Plain {
        out.push(
            "truncated: the log ends before the job finished; the cause may be in the missing part"
                .to_string(),
        );
    }
    if n.backwards_timestamps > 2 {
        out.push(format!(
            "interleaved: timestamps go backwards {} times; output of parallel jobs may be mixed",
            n.backwards_timestamps
        ));
    }
    if scanned.cut_lines > 0 {
        out.push(format!(
            "long lines: {} lines longer than {} KiB were cut",
            scanned.cut_lines,
            crate::logtext::input::MAX_LINE_BYTES / 1024
        ));
    }
    out
}

/// Error lines best first for display (wrappers last, earlier lines first on ties).
fn display_order(lines: &[Scored]) -> Vec<&Scored> {
    // Repeats of one statement (same text once variables are masked) show once, at
    // their first line, ranked by their best copy.
    let mut best: HashMap<String, (f32, &Scored)> = HashMap::new();
    for line in lines {
        let rank = line.score.display_rank();
        let slot = best.entry(mask::mask(&line.text)).or_insert((rank, line));
        slot.0 = slot.0.max(rank);
        if line.seq < slot.1.seq {
            slot.1 = line;
        }
    }
    let mut sorted: Vec<(f32, &Scored)> = best.into_values().collect();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.seq.cmp(&b.1.seq)));
    sorted.into_iter().map(|(_, line)| line).collect()
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
