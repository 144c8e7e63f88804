//! Matching quality on labelled real CI logs: precision@1, recall@3, MRR, abstention on
//! logs no entry fits, key-line accuracy and diagnosis time.
//!
//! A set is a directory with `cases.json` (a list of [`Case`]) and `cases/<case>.log`.

use crate::logtext;
use crate::matcher::{Matcher, Options, Report};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// One labelled log.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Case {
    pub case: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub ci: String,
    /// The line that states the failure, as it appears in the log.
    pub key_line: String,
    /// Every acceptable entry id; empty when the right answer is to abstain.
    pub expected: Vec<String>,
    #[serde(default)]
    pub note: String,
}

/// The outcome of one case.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub case: String,
    pub expected: Vec<String>,
    /// Ids returned, best first, with confidences.
    pub returned: Vec<(String, f64)>,
    /// 1-based rank of the first expected id, if any.
    pub rank: Option<usize>,
    pub key_line_found: bool,
    /// The line cited first (top diagnosis's first evidence, or the first error line).
    pub cited: Option<String>,
    pub millis: f64,
}

impl Outcome {
    /// Right answer at rank 1, or a correct abstention.
    pub fn correct(&self) -> bool {
        if self.expected.is_empty() {
            self.returned.is_empty()
        } else {
            self.rank == Some(1)
        }
    }
}

/// Aggregate figures of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub cases: usize,
    /// Cases with a non-empty `expected`.
    pub answerable: usize,
    pub precision_at_1: f64,
    pub recall_at_3: f64,
    pub mrr: f64,
    /// Cases with an empty `expected`.
    pub no_fit: usize,
    pub abstention_rate: f64,
    pub false_diagnosis_rate: f64,
    pub key_line_accuracy: f64,
    pub median_ms: f64,
    pub p95_ms: f64,
}

/// A whole evaluation: figures and per-case outcomes.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub summary: Summary,
    pub outcomes: Vec<Outcome>,
}

/// Errors reading an evaluation set.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Cases {
        path: String,
        source: serde_json::Error,
    },
}

/// Reads `dir/cases.json`.
pub fn load_cases(dir: &Path) -> Result<Vec<Case>, EvalError> {
    let path = dir.join("cases.json");
    let text = std::fs::read_to_string(&path).map_err(|source| EvalError::Read {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| EvalError::Cases {
        path: path.display().to_string(),
        source,
    })
}

/// Runs every case of `dir` through `matcher`.
pub fn run(dir: &Path, matcher: &Matcher, options: &Options<'_>) -> Result<Evaluation, EvalError> {
    let cases = load_cases(dir)?;
    let mut outcomes = Vec::with_capacity(cases.len());
    for case in cases {
        let path = dir.join("cases").join(format!("{}.log", case.case));
        let bytes = std::fs::read(&path).map_err(|source| EvalError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let start = Instant::now();
        let report = matcher
            .diagnose(&case.case, std::io::Cursor::new(bytes), options)
            .map_err(|source| EvalError::Read {
                path: path.display().to_string(),
                source,
            })?;
        let millis = start.elapsed().as_secs_f64() * 1000.0;
        outcomes.push(outcome(case, &report, millis));
    }
    Ok(Evaluation {
        summary: summarize(&outcomes),
        outcomes,
    })
}

fn outcome(case: Case, report: &Report, millis: f64) -> Outcome {
    let returned: Vec<(String, f64)> = report
        .diagnoses
        .iter()
        .map(|d| (d.id.clone(), d.confidence))
        .collect();
    let rank = returned
        .iter()
        .position(|(id, _)| case.expected.contains(id))
        .map(|i| i + 1);
    let cited: Vec<&str> = match report.diagnoses.first() {
        Some(d) => d.evidence.iter().map(|e| e.text.as_str()).collect(),
        None => report
            .error_lines
            .first()
            .map(|l| l.text.as_str())
            .into_iter()
            .collect(),
    };
    let key = logtext::shown(&case.key_line);
    let key_line_found = cited.iter().any(|c| c.trim() == key);
    Outcome {
        cited: cited.first().map(|s| s.to_string()),
        case: case.case,
        expected: case.expected,
        returned,
        rank,
        key_line_found,
        millis,
    }
}

fn summarize(outcomes: &[Outcome]) -> Summary {
    let answerable: Vec<&Outcome> = outcomes.iter().filter(|o| !o.expected.is_empty()).collect();
    let no_fit: Vec<&Outcome> = outcomes.iter().filter(|o| o.expected.is_empty()).collect();
    let share = |n: usize, of: usize| {
        if of == 0 {
            0.0
        } else {
            round(n as f64 / of as f64)
        }
    };
    let mut times: Vec<f64> = outcomes.iter().map(|o| o.millis).collect();
    times.sort_by(f64::total_cmp);
    let percentile = |p: f64| {
        if times.is_empty() {
            0.0
        } else {
            let i = ((times.len() as f64 - 1.0) * p).round() as usize;
            round(times[i])
        }
    };
    let abstained = no_fit.iter().filter(|o| o.returned.is_empty()).count();
    Summary {
        cases: outcomes.len(),
        answerable: answerable.len(),
        precision_at_1: share(
            answerable.iter().filter(|o| o.rank == Some(1)).count(),
            answerable.len(),
        ),
        recall_at_3: share(
            answerable
                .iter()
                .filter(|o| o.rank.is_some_and(|r| r <= 3))
                .count(),
            answerable.len(),
        ),
        mrr: if answerable.is_empty() {
            0.0
        } else {
            round(
                answerable
                    .iter()
                    .map(|o| o.rank.map_or(0.0, |r| 1.0 / r as f64))
                    .sum::<f64>()
                    / answerable.len() as f64,
            )
        },
        no_fit: no_fit.len(),
        abstention_rate: share(abstained, no_fit.len()),
        false_diagnosis_rate: share(no_fit.len() - abstained, no_fit.len()),
        key_line_accuracy: share(
            outcomes.iter().filter(|o| o.key_line_found).count(),
            outcomes.len(),
        ),
        median_ms: percentile(0.5),
        p95_ms: percentile(0.95),
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A table for people: the figures, then every case that was not right.
pub fn text(e: &Evaluation) -> String {
    let s = &e.summary;
    let mut out = format!(
        "cases: {} ({} answerable, {} with no fitting entry)\n\
         precision@1: {:.3}\nrecall@3:    {:.3}\nMRR:         {:.3}\n\
         abstention on no-fit cases: {:.3} (false diagnoses {:.3})\n\
         key-line accuracy: {:.3}\ndiagnosis time: median {:.2} ms, p95 {:.2} ms\n",
        s.cases,
        s.answerable,
        s.no_fit,
        s.precision_at_1,
        s.recall_at_3,
        s.mrr,
        s.abstention_rate,
        s.false_diagnosis_rate,
        s.key_line_accuracy,
        s.median_ms,
        s.p95_ms
    );
    let misses: Vec<&Outcome> = e
        .outcomes
        .iter()
        .filter(|o| !o.correct() || !o.key_line_found)
        .collect();
    if !misses.is_empty() {
        out.push_str("\nmisses (case | expected | returned | key line cited):\n");
        for o in misses {
            let expected = if o.expected.is_empty() {
                "(abstain)".to_string()
            } else {
                o.expected.join(", ")
            };
            let returned = if o.returned.is_empty() {
                "(abstained)".to_string()
            } else {
                o.returned
                    .iter()
                    .map(|(id, c)| format!("{id} {c:.2}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push_str(&format!(
                "{} | {} | {} | {}\n",
                o.case,
                expected,
                returned,
                if o.key_line_found { "yes" } else { "no" }
            ));
        }
    }
    out
}
