//! Other knowledge bases -> catalog files, and back.
//!
//! Two sources are supported: deadends.dev canons ([`deadends`]) and errorcanon JSON
//! entries ([`errorcanon`], which also exports entries in that shape). An import runs in
//! two steps, so tests can look at the result without touching the disk:
//!
//! 1. `deadends::convert` / `errorcanon::convert` read every source file (sorted), turn
//!    each into an entry, check it with [`crate::catalog::validate`] and render the
//!    catalog files into an [`Import`]: files (path relative to the output directory
//!    and text) plus a [`Report`]. A bad source file never stops the run: it is listed
//!    in [`Report::skipped`] with its path and the reason.
//! 2. [`write()`] puts the files under the output directory.
//!
//! Output is deterministic: the same input gives byte-identical files (sources are
//! read in sorted order, maps are sorted, TOML is written by `toml`, JSON kept in
//! `imported_from.extra` has sorted keys).
//!
//! ```no_run
//! use logdoc::import::{deadends, write};
//! use std::path::Path;
//!
//! let import = deadends::convert(Path::new("../shared/data/deadends"), &mut |_, _| {})?;
//! write(Path::new("/tmp/deadends-catalog"), &import.files)?;
//! println!("{}", import.report.summary());
//! # Ok::<(), logdoc::import::ImportError>(())
//! ```

pub mod deadends;
mod error;
pub mod errorcanon;
pub mod ids;
pub mod pattern;
mod report;

pub use error::{ErrorKind, ImportError};
pub use report::{Note, NoteKind, Report, Skipped};

use crate::catalog::model::{EntryMeta, Pattern, TranslationMeta};
use crate::catalog::{Severity, validate};
use pattern::Translation;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// How often (in files) progress is reported.
pub const PROGRESS_EVERY: usize = 200;

/// A catalog file to write: path relative to the output directory, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub path: PathBuf,
    pub text: String,
}

/// The result of converting a source: the catalog files and the report.
#[derive(Debug, Clone, Default)]
pub struct Import {
    /// Files sorted by path.
    pub files: Vec<OutFile>,
    pub report: Report,
}

/// Called with (files done, files total) every [`PROGRESS_EVERY`] files and at the end.
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// Writes `files` below `out`, creating directories. A file whose content is already
/// the same is left untouched; other files in `out` are left alone.
pub fn write(out: &Path, files: &[OutFile]) -> Result<(), ImportError> {
    std::fs::create_dir_all(out).map_err(|err| ImportError::new(out, err))?;
    for file in files {
        let path = out.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|err| ImportError::new(parent, err))?;
        }
        if std::fs::read(&path).is_ok_and(|old| old == file.text.as_bytes()) {
            continue;
        }
        std::fs::write(&path, &file.text).map_err(|err| ImportError::new(&path, err))?;
    }
    Ok(())
}

/// One entry converted from a source file, not yet rendered.
#[derive(Debug, Clone)]
struct Converted {
    /// The source file.
    source: PathBuf,
    meta: EntryMeta,
    body: String,
    /// Translations by language code.
    translations: BTreeMap<String, (TranslationMeta, String)>,
    notes: Vec<Note>,
    /// Source content without a home, written to `imported_from.extra` when rendered
    /// (`Value::Null`: leave `extra` as it is).
    residue: Value,
    /// Transition-graph items waiting for the imported set to be known.
    pending: Vec<(deadends::Relation, Vec<Value>)>,
}

/// The `.json` files below `src` (or `src` itself when it is a file), sorted; hidden
/// files and directories are skipped.
fn json_files(src: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let meta = std::fs::metadata(src).map_err(|err| ImportError::new(src, err))?;
    if meta.is_file() {
        return Ok(vec![src.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let read = std::fs::read_dir(&dir).map_err(|err| ImportError::new(&dir, err))?;
        for child in read {
            let child = child.map_err(|err| ImportError::new(&dir, err))?;
            let path = child.path();
            let name = child.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = child
                .file_type()
                .map_err(|err| ImportError::new(&path, err))?;
            if kind.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Reads and parses every source file, calling `convert` on each parsed document;
/// files that fail are listed as skipped.
fn convert_files(
    files: &[PathBuf],
    report: &mut Report,
    progress: Progress<'_>,
    mut convert: impl FnMut(&Path, Value) -> Result<Converted, ImportError>,
) -> Vec<Converted> {
    let mut converted = Vec::with_capacity(files.len());
    for (done, path) in files.iter().enumerate() {
        if done > 0 && done % PROGRESS_EVERY == 0 {
            progress(done, files.len());
        }
        report.files_read += 1;
        let result = std::fs::read(path)
            .map_err(|err| ImportError::new(path, err))
            .and_then(|bytes| {
                serde_json::from_slice::<Value>(&bytes).map_err(|err| ImportError::new(path, err))
            })
            .and_then(|value| convert(path, value));
        match result {
            Ok(entry) => converted.push(entry),
            Err(err) => report.skipped.push(Skipped {
                path: path.clone(),
                reason: err.kind.to_string(),
            }),
        }
    }
    progress(files.len(), files.len());
    converted
}

/// Keeps the entries that pass the catalog's checks and whose id is not taken by an
/// earlier file; the others are listed as skipped.
fn keep_valid(converted: Vec<Converted>, report: &mut Report) -> Vec<Converted> {
    let mut by_id: HashMap<String, PathBuf> = HashMap::new();
    let mut kept = Vec::with_capacity(converted.len());
    for entry in converted {
        // `choose_pattern` compiled the patterns already (with `validate::compile`);
        // check the rest with a trivial pattern in their place, as compiling is most
        // of an import's time.
        let mut meta = entry.meta.clone();
        for p in &mut meta.patterns {
            p.regex = "x".to_string();
        }
        let problems: Vec<String> = validate::entry(&meta, &meta.id)
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{}: {}", f.key, f.message))
            .collect();
        if !problems.is_empty() {
            report.skipped.push(Skipped {
                path: entry.source,
                reason: format!(
                    "the entry would not pass `logdoc check`: {}",
                    problems.join("; ")
                ),
            });
            continue;
        }
        if let Some(first) = by_id.get(&entry.meta.id) {
            report.skipped.push(Skipped {
                reason: format!(
                    "id `{}` is already imported from {}",
                    entry.meta.id,
                    first.display()
                ),
                path: entry.source,
            });
            continue;
        }
        by_id.insert(entry.meta.id.clone(), entry.source.clone());
        kept.push(entry);
    }
    kept
}

/// Renders entries into files and fills the report; an entry that cannot be written
/// as TOML is skipped.
fn render(entries: Vec<Converted>, mut report: Report) -> Import {
    let mut files = Vec::new();
    for mut entry in entries {
        let residue = std::mem::take(&mut entry.residue);
        if !residue.is_null()
            && let Some(imported) = entry.meta.provenance.imported_from.as_mut()
        {
            imported.extra = extra_text(residue);
        }
        let rendered = render_entry(&entry);
        match rendered {
            Ok(mut out) => {
                files.append(&mut out);
                report.imported += 1;
                report.notes.extend(entry.notes);
            }
            Err(err) => report.skipped.push(Skipped {
                path: entry.source,
                reason: err.to_string(),
            }),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    report.sort();
    Import { files, report }
}

fn render_entry(entry: &Converted) -> Result<Vec<OutFile>, toml::ser::Error> {
    let base: PathBuf = entry.meta.id.split('/').collect();
    let mut files = vec![OutFile {
        path: with_suffix(&base, ".md"),
        text: file_text(&front_matter(&entry.meta)?, &entry.body),
    }];
    for (lang, (meta, body)) in &entry.translations {
        // Translations name few texts: leave out the empty tables.
        let mut front = toml::Value::try_from(meta)?;
        if let toml::Value::Table(table) = &mut front {
            table.retain(|_, v| v.as_table().is_none_or(|t| !t.is_empty()));
        }
        files.push(OutFile {
            path: with_suffix(&base, &format!(".{lang}.md")),
            text: file_text(&front_matter(&front)?, body),
        });
    }
    Ok(files)
}

/// TOML front matter, pretty (multi-line strings). A string holding a line `+++` would
/// read as the closing fence, so such strings are written on one line with escapes.
fn front_matter<T: serde::Serialize>(value: &T) -> Result<String, toml::ser::Error> {
    let is_fence = |line: &str| line.trim_end() == "+++";
    let pretty = toml::to_string_pretty(value)?;
    if !pretty.lines().any(is_fence) {
        return Ok(pretty);
    }
    // Replace each such string by a placeholder, then the placeholder's TOML by the
    // string as a one-line basic string (JSON escapes are TOML escapes, but DEL).
    let mut tree = toml::Value::try_from(value)?;
    let mut fenced = Vec::new();
    let mut stack = vec![&mut tree];
    while let Some(node) = stack.pop() {
        match node {
            toml::Value::String(text) if text.lines().any(is_fence) => {
                let placeholder = format!("logdoc-fenced-string-{}", fenced.len());
                fenced.push((placeholder.clone(), std::mem::replace(text, placeholder)));
            }
            toml::Value::Array(items) => stack.extend(items.iter_mut()),
            toml::Value::Table(table) => stack.extend(table.iter_mut().map(|(_, v)| v)),
            _ => {}
        }
    }
    let mut text = toml::to_string_pretty(&tree)?;
    for (placeholder, original) in fenced {
        let escaped = serde_json::to_string(&original)
            .unwrap_or_default()
            .replace('\u{7f}', "\\u007F");
        text = text.replace(&format!("\"{placeholder}\""), &escaped);
    }
    Ok(text)
}

/// `base` with `suffix` appended to its file name (`Path::with_extension` would cut
/// a name containing a dot).
fn with_suffix(base: &Path, suffix: &str) -> PathBuf {
    let mut name = base.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    base.with_file_name(name)
}

/// `+++` front matter `+++`, blank line, body (each ending in a newline).
fn file_text(front: &str, body: &str) -> String {
    let mut text = String::with_capacity(front.len() + body.len() + 16);
    text.push_str("+++\n");
    text.push_str(front);
    if !front.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("+++\n");
    let body = body.trim_end();
    if !body.is_empty() {
        text.push('\n');
        text.push_str(body);
        text.push('\n');
    }
    text
}

/// The patterns chosen for a source regex, and what the report should say about them.
struct Chosen {
    /// The first pattern: the source regex where it compiles, else one from the
    /// escaped signature.
    regex: String,
    /// Added when the source regex compiles but misses its signature: the escaped
    /// signature, so the entry still matches its own message.
    signature_pattern: Option<String>,
    /// Whether `regex` differs from what the source regex says (then the source regex
    /// is kept in `imported_from.extra`).
    changed: bool,
    notes: Vec<(NoteKind, String)>,
}

impl Chosen {
    /// The entry's patterns, in order.
    fn patterns(&self) -> Vec<Pattern> {
        std::iter::once(&self.regex)
            .chain(&self.signature_pattern)
            .map(|p| Pattern::plain(p.clone()))
            .collect()
    }
}

/// Turns a source regex into the entry's patterns: translated to Rust syntax, made
/// case-insensitive when the source uses it so, compiled and checked against the
/// signature. A regex that fails is replaced by a pattern from the escaped signature.
/// A regex that compiles but misses its signature is kept, since it is written for
/// the tool's real output (`Tried to allocate \d+\.\d+ [GM]iB` where the signature
/// says `Tried to allocate X GiB`), and the signature's pattern is added beside it.
/// The notes say which. The error says why not even the signature's pattern compiles
/// (e.g. too large).
fn choose_pattern(source: &str, signature: &str, insensitive: bool) -> Result<Chosen, String> {
    let wrap = |p: &str| {
        if insensitive {
            pattern::case_insensitive(p)
        } else {
            p.to_string()
        }
    };
    let expected = wrap(source);
    let mut notes = Vec::new();
    let (candidate, translated) = match pattern::translate(source) {
        Translation::Verbatim => (Ok(expected.clone()), None),
        Translation::Translated { regex, changes } => {
            let regex = wrap(&regex);
            let note = format!("`{source}` -> `{regex}` ({})", changes.join("; "));
            (Ok(regex), Some(note))
        }
        Translation::Failed { reason } => (Err(reason), None),
    };
    let compiled = candidate.and_then(|p| pattern::compile(&p).map(|re| (p, re)));
    if compiled.is_ok()
        && let Some(note) = translated
    {
        notes.push((NoteKind::RegexTranslated, note));
    }
    let from_signature = || {
        let derived = pattern::from_signature(signature);
        pattern::compile(&derived)
            .map(|_| derived.clone())
            .map_err(|err| format!("no usable pattern: `{derived}`: {err}"))
    };
    let (regex, signature_pattern) = match compiled {
        Ok((p, re)) if pattern::matches_signature(&re, signature) => (p, None),
        Ok((p, _)) => {
            let derived = from_signature()?;
            notes.push((
                NoteKind::RegexNotMatching,
                format!("`{p}`; kept, and `{derived}` added"),
            ));
            (p, Some(derived))
        }
        Err(reason) => {
            let derived = from_signature()?;
            notes.push((
                NoteKind::RegexFailed,
                format!("`{source}`: {reason}; using `{derived}` instead"),
            ));
            (derived, None)
        }
    };
    Ok(Chosen {
        changed: regex != expected,
        regex,
        signature_pattern,
        notes,
    })
}

/// A title from a signature: its first non-empty line, at most 120 characters.
fn title_from(signature: &str) -> String {
    const MAX: usize = 120;
    let line = signature
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() <= MAX {
        return line.to_string();
    }
    let mut title: String = line.chars().take(MAX - 1).collect();
    title.truncate(title.trim_end().len());
    title.push('…');
    title
}

/// `value` with every object's keys sorted (also when serde_json keeps insertion order).
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(sorted.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// Pretty JSON text of `value` with sorted keys; empty when `value` holds nothing.
fn extra_text(value: Value) -> String {
    let empty = match &value {
        Value::Object(map) => map.is_empty(),
        Value::Null => true,
        _ => false,
    };
    if empty {
        return String::new();
    }
    serde_json::to_string_pretty(&sorted(value)).unwrap_or_default()
}

/// A fix from a source's workaround; the rate is the source's.
fn imported_fix(
    i: usize,
    action: &str,
    how: &str,
    success_rate: f64,
    condition: &str,
) -> crate::catalog::Fix {
    crate::catalog::Fix {
        id: deadends::fix_id(i),
        action: action.to_string(),
        how: how.to_string(),
        success_rate,
        rate_source: crate::catalog::RateSource::Imported,
        condition: condition.to_string(),
        requires: None,
    }
}

/// A dead end from a source; the rate is the source's.
fn imported_dead_end(
    i: usize,
    action: &str,
    why: &str,
    fail_rate: f64,
    condition: &str,
) -> crate::catalog::DeadEnd {
    crate::catalog::DeadEnd {
        id: deadends::dead_end_id(i),
        action: action.to_string(),
        why: why.to_string(),
        fail_rate,
        rate_source: crate::catalog::RateSource::Imported,
        condition: condition.to_string(),
    }
}

/// Notes about one imported entry, all naming its source file and catalog id.
struct Notes {
    path: PathBuf,
    id: String,
    list: Vec<Note>,
}

impl Notes {
    fn add(&mut self, kind: NoteKind, message: String) {
        self.list.push(Note {
            path: self.path.clone(),
            id: self.id.clone(),
            kind,
            message,
        });
    }

    fn into_vec(self) -> Vec<Note> {
        self.list
    }
}

/// Maps a source id to a catalog id, noting when it had to change.
fn start(path: &Path, source_id: &str) -> Result<(ids::MappedId, Notes), ImportError> {
    let mapped = ids::map_id(source_id).map_err(|m| ImportError::invalid(path, m))?;
    let mut notes = Notes {
        path: path.to_path_buf(),
        id: mapped.id.clone(),
        list: Vec::new(),
    };
    if mapped.changed {
        notes.add(
            NoteKind::IdMapped,
            format!("`{source_id}` -> `{}`", mapped.id),
        );
    }
    Ok((mapped, notes))
}

/// A source date field as a catalog date.
fn date(path: &Path, field: &str, text: &str) -> Result<crate::catalog::Date, ImportError> {
    crate::catalog::Date::parse(text).ok_or_else(|| {
        ImportError::invalid(path, format!("{field} `{text}` is not a date (YYYY-MM-DD)"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_short_first_lines() {
        assert_eq!(title_from("\n  Error: x  \nmore"), "Error: x");
        let long = "a".repeat(200);
        let title = title_from(&long);
        assert_eq!(title.chars().count(), 120);
        assert!(title.ends_with('…'));
    }

    #[test]
    fn file_text_has_fences_and_body() {
        assert_eq!(
            file_text("a = 1\n", "body\n\n"),
            "+++\na = 1\n+++\n\nbody\n"
        );
        assert_eq!(file_text("a = 1", ""), "+++\na = 1\n+++\n");
    }

    #[test]
    fn fences_inside_strings_are_escaped() {
        #[derive(serde::Serialize)]
        struct Front {
            how: String,
        }
        let front = front_matter(&Front {
            how: "diff:\n+++\nend \"q\" \u{7f}".to_string(),
        })
        .unwrap();
        let text = file_text(&front, "body");
        assert_eq!(
            text.lines().filter(|l| l.trim_end() == "+++").count(),
            2,
            "{text}"
        );
        let back: toml::Value = toml::from_str(&front).unwrap();
        assert_eq!(back["how"].as_str(), Some("diff:\n+++\nend \"q\" \u{7f}"));
    }

    #[test]
    fn translation_paths_keep_dots() {
        let base: PathBuf = ["policy", "x.y"].iter().collect();
        assert_eq!(
            with_suffix(&base, ".zh.md"),
            PathBuf::from("policy/x.y.zh.md")
        );
    }

    #[test]
    fn chooses_patterns() {
        let c = choose_pattern(
            "deadline exceeded",
            "DEADLINE_EXCEEDED: Deadline exceeded",
            true,
        )
        .unwrap();
        assert_eq!(c.regex, "(?i)deadline exceeded");
        assert!(!c.changed && c.notes.is_empty());

        let c = choose_pattern(r"failed\Z", "build failed", true).unwrap();
        assert_eq!(c.regex, r"(?i)failed\z");
        assert_eq!(c.notes[0].0, NoteKind::RegexTranslated);

        // Missing its own signature: kept first, the signature's pattern beside it.
        let c = choose_pattern(r"allocate \d+ GiB", "Tried to allocate X GiB", true).unwrap();
        assert_eq!(c.regex, r"(?i)allocate \d+ GiB");
        assert_eq!(
            c.signature_pattern.as_deref(),
            Some("(?i)Tried to allocate X GiB")
        );
        assert_eq!(c.notes[0].0, NoteKind::RegexNotMatching);
        assert!(!c.changed);
        assert_eq!(c.patterns().len(), 2);

        let c = choose_pattern(r"(a)\1", "aa", false).unwrap();
        assert_eq!(c.notes[0].0, NoteKind::RegexFailed);
        assert!(c.changed);

        // Translated but still not Rust syntax: counted as failed only.
        let c = choose_pattern(r"end\Z\h", "the end", true).unwrap();
        let kinds: Vec<NoteKind> = c.notes.iter().map(|n| n.0).collect();
        assert_eq!(kinds, [NoteKind::RegexFailed]);
        assert_eq!(c.regex, "(?i)the end");
    }
}
