//! What an import did: files read, imported and skipped, and every change worth a
//! reader's attention (translated or replaced regexes, mapped ids, lossy round trips).

use std::fmt;
use std::path::PathBuf;

/// A source file that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// Kinds of [`Note`], counted in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteKind {
    /// The regex was rewritten into Rust syntax.
    RegexTranslated,
    /// The regex has no Rust equivalent; a pattern from the signature replaces it.
    RegexFailed,
    /// The regex (as translated) does not match the entry's own signature; it is kept
    /// and a pattern from the signature is added beside it.
    RegexNotMatching,
    /// The source id had characters the catalog refuses and was mapped.
    IdMapped,
    /// Exporting the imported entry would not give the source back exactly.
    RoundTrip,
}

impl NoteKind {
    fn label(self) -> &'static str {
        match self {
            NoteKind::RegexTranslated => "regex translated",
            NoteKind::RegexFailed => "regex failed",
            NoteKind::RegexNotMatching => "regex does not match its signature",
            NoteKind::IdMapped => "id mapped",
            NoteKind::RoundTrip => "round trip",
        }
    }
}

/// Something an imported file needed, reported but not fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub path: PathBuf,
    /// The catalog id of the imported entry.
    pub id: String,
    pub kind: NoteKind,
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}: {}",
            self.path.display(),
            self.id,
            self.kind.label(),
            self.message
        )
    }
}

/// The outcome of one import run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Source files found and read (or attempted).
    pub files_read: usize,
    /// Entries written.
    pub imported: usize,
    /// Files not imported, sorted by path.
    pub skipped: Vec<Skipped>,
    /// Notes on imported files, sorted by path then kind.
    pub notes: Vec<Note>,
}

impl Report {
    /// Number of notes of `kind`.
    pub fn count(&self, kind: NoteKind) -> usize {
        self.notes.iter().filter(|n| n.kind == kind).count()
    }

    /// Sorts skips and notes so the report is the same on every run.
    pub fn sort(&mut self) {
        self.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        self.notes
            .sort_by(|a, b| (&a.path, a.kind, &a.message).cmp(&(&b.path, b.kind, &b.message)));
    }

    /// The one-paragraph summary printed at the end of an import.
    pub fn summary(&self) -> String {
        let round_trip = match self.count(NoteKind::RoundTrip) {
            0 => String::new(),
            n => format!("; entries that would not export back exactly: {n}"),
        };
        format!(
            "files read: {}, imported: {}, skipped: {}; regexes translated: {}, failed: {}, \
             not matching their signature: {}; ids mapped: {}{round_trip}",
            self.files_read,
            self.imported,
            self.skipped.len(),
            self.count(NoteKind::RegexTranslated),
            self.count(NoteKind::RegexFailed),
            self.count(NoteKind::RegexNotMatching),
            self.count(NoteKind::IdMapped),
        )
    }
}
