//! What the matcher says about one log: ranked diagnoses with evidence, the most
//! error-like lines, the environment and warnings. Serialized as DESIGN's JSON contract.

use crate::logtext::Ci;
use serde::Serialize;
use std::collections::BTreeMap;

/// The matcher's verdict on one log. `D` is the diagnosis type: the matcher's own
/// [`Diagnosis`], or a richer view of it made for readers.
#[derive(Debug, Clone, Serialize)]
pub struct Report<D = Diagnosis> {
    pub file: String,
    /// Best first; empty when the matcher abstains.
    pub diagnoses: Vec<D>,
    /// The most error-like lines, best first.
    pub error_lines: Vec<ErrorLine>,
    /// Runner image and tool versions the log states.
    pub environment: BTreeMap<String, String>,
    /// Why the evidence may be incomplete (truncated log, interleaved output...).
    pub warnings: Vec<String>,
    pub ci: Ci,
    /// The step that failed, when the log shows one.
    pub failing_step: Option<String>,
    /// Lines read.
    pub lines: u64,
}

impl<D> Report<D> {
    /// The same report with `diagnoses` in place of its own.
    pub fn with_diagnoses<E>(self, diagnoses: Vec<E>) -> Report<E> {
        Report {
            file: self.file,
            diagnoses,
            error_lines: self.error_lines,
            environment: self.environment,
            warnings: self.warnings,
            ci: self.ci,
            failing_step: self.failing_step,
            lines: self.lines,
        }
    }
}

/// One known error found in the log.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    pub id: String,
    pub title: String,
    /// In [0, 1]: how likely this entry is the (or a) cause of the failure.
    pub confidence: f64,
    pub evidence: Vec<Evidence>,
    /// Values captured by the pattern's named groups (role ARN, audience...).
    pub captures: BTreeMap<String, String>,
    /// `pattern` for a regex match, `fuzzy` for a full-text match of a line.
    pub matched_by: MatchKind,
    /// A short account of why the entry matched.
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    Pattern,
    Fuzzy,
}

/// A line that proves a diagnosis (secrets redacted).
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// 1-based line number in the original input (in its step file for zip archives).
    pub line: u64,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

/// An error-like line with its score in [0, 1].
#[derive(Debug, Clone, Serialize)]
pub struct ErrorLine {
    pub line: u64,
    pub text: String,
    pub score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}
