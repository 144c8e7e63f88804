//! Walking catalog directories and turning files into a [`Catalog`] plus problems.

use super::locate::Locator;
use super::model::{EntryMeta, TranslationMeta};
use super::validate::{self, Finding};
use super::{Catalog, Entry, LANGS, Problem, Severity, Translation, parse};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The result of loading: every entry that loaded without errors, and every problem.
pub struct Loaded {
    pub catalog: Catalog,
    pub problems: Vec<Problem>,
}

impl Loaded {
    /// Whether any problem is an error (warnings do not count).
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// A catalog file found by the walk.
struct Found {
    path: PathBuf,
    /// Path relative to its catalog root, without `.md` and language suffix, `/`-joined.
    id: String,
    /// `None` for the entry itself, `Some(lang)` for a translation.
    lang: Option<String>,
}

/// Loads and validates every entry under `dirs`, merging them. Never stops at the
/// first problem: each file is parsed on its own and all problems are returned.
pub fn load<P: AsRef<Path>>(dirs: &[P]) -> Loaded {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for dir in dirs {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            problems.push(Problem::error(
                dir,
                None,
                "catalog directory does not exist",
            ));
            continue;
        }
        walk(dir, dir, &mut files, &mut problems);
    }

    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut translations = Vec::new();
    for found in files {
        let Some(text) = read_text(&found.path, &mut problems) else {
            continue;
        };
        match found.lang.clone() {
            Some(lang) => translations.push((found, lang, text)),
            None => {
                if let Some(first) = seen.get(&found.id) {
                    problems.push(Problem::error(
                        &found.path,
                        Some(1),
                        format!(
                            "duplicate id `{}`: also defined in {}",
                            found.id,
                            first.display()
                        ),
                    ));
                    continue;
                }
                seen.insert(found.id.clone(), found.path.clone());
                if let Some(entry) = load_entry(&found, &text, &mut problems) {
                    entries.insert(found.id.clone(), entry);
                }
            }
        }
    }

    for (found, lang, text) in translations {
        let Some(entry) = entries.get_mut(&found.id) else {
            if !seen.contains_key(&found.id) {
                problems.push(Problem::error(
                    &found.path,
                    Some(1),
                    format!("translation of `{}`, but no such entry exists", found.id),
                ));
            }
            continue;
        };
        if let Some(t) = load_translation(&found, &text, entry, &mut problems) {
            entry.translations.insert(lang, t);
        }
    }

    for entry in entries.values() {
        problems.extend(check_relations(entry, &seen));
    }
    Loaded {
        catalog: Catalog::new(entries.into_values().collect()),
        problems,
    }
}

/// Collects `.md` files below `dir` (sorted, hidden and README files skipped).
fn walk(root: &Path, dir: &Path, files: &mut Vec<Found>, problems: &mut Vec<Problem>) {
    let mut children: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(read) => read.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(err) => {
            problems.push(Problem::error(
                dir,
                None,
                format!("cannot read directory: {err}"),
            ));
            return;
        }
    };
    children.sort();
    for path in children {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "README.md" {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, files, problems);
            continue;
        }
        let Some(stem) = name.strip_suffix(".md") else {
            continue;
        };
        let rel_dir = path
            .parent()
            .and_then(|p| p.strip_prefix(root).ok())
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let (slug, lang) = match stem.rsplit_once('.') {
            Some((slug, lang)) => (slug, Some(lang.to_string())),
            None => (stem, None),
        };
        if let Some(lang) = &lang
            && (lang == "en" || !LANGS.contains(&lang.as_str()))
        {
            problems.push(Problem::error(
                &path,
                None,
                format!(
                    "`{lang}` is not a translation language; use one of {} (English is the entry file itself)",
                    LANGS[1..].join(", ")
                ),
            ));
            continue;
        }
        let id = rel_dir
            .into_iter()
            .chain(std::iter::once(slug.to_string()))
            .collect::<Vec<_>>()
            .join("/");
        files.push(Found { path, id, lang });
    }
}

fn read_text(path: &Path, problems: &mut Vec<Problem>) -> Option<String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            problems.push(Problem::error(
                path,
                None,
                format!("cannot read file: {err}"),
            ));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.as_bytes();
            let line = 1 + memchr::memchr_iter(b'\n', &bytes[..valid]).count();
            problems.push(Problem::error(
                path,
                Some(line),
                format!("file is not valid UTF-8 (invalid byte at offset {valid})"),
            ));
            None
        }
    }
}

fn load_entry(found: &Found, text: &str, problems: &mut Vec<Problem>) -> Option<Entry> {
    let split = match parse::split(text) {
        Ok(split) => split,
        Err((line, message)) => {
            problems.push(Problem::error(&found.path, Some(line), message));
            return None;
        }
    };
    let meta: EntryMeta = match parse::front_matter(&split) {
        Ok(meta) => meta,
        Err((line, message)) => {
            problems.push(Problem::error(&found.path, Some(line), message));
            return None;
        }
    };
    let findings = validate::entry(&meta, &found.id);
    let ok = report(&found.path, &split, findings, problems);
    ok.then(|| Entry {
        meta,
        body: split.body.to_string(),
        path: found.path.clone(),
        translations: BTreeMap::new(),
    })
}

fn load_translation(
    found: &Found,
    text: &str,
    entry: &Entry,
    problems: &mut Vec<Problem>,
) -> Option<Translation> {
    let parsed = parse::split(text).and_then(|split| {
        let meta: TranslationMeta = parse::front_matter(&split)?;
        Ok((split, meta))
    });
    let (split, meta) = match parsed {
        Ok(parsed) => parsed,
        Err((line, message)) => {
            problems.push(Problem::error(&found.path, Some(line), message));
            return None;
        }
    };
    let findings = validate::translation(&meta, entry);
    let ok = report(&found.path, &split, findings, problems);
    ok.then(|| Translation {
        meta,
        body: split.body.to_string(),
        path: found.path.clone(),
    })
}

/// Turns findings into located problems; true when none is an error.
fn report(
    path: &Path,
    split: &parse::Split<'_>,
    findings: Vec<Finding>,
    problems: &mut Vec<Problem>,
) -> bool {
    if findings.is_empty() {
        return true;
    }
    let locator = Locator::new(split.front, split.front_line);
    let mut ok = true;
    for finding in findings {
        ok &= finding.severity != Severity::Error;
        problems.push(Problem {
            path: path.to_path_buf(),
            line: Some(locator.line(&finding.key)),
            severity: finding.severity,
            message: finding.message,
        });
    }
    ok
}

/// Related ids must name entries that exist in the loaded catalogs.
fn check_relations(entry: &Entry, known: &HashMap<String, PathBuf>) -> Vec<Problem> {
    let related = &entry.meta.related;
    let refs = related
        .leads_to
        .iter()
        .enumerate()
        .map(|(i, id)| (format!("related.leads_to[{i}]"), id))
        .chain(
            related
                .preceded_by
                .iter()
                .enumerate()
                .map(|(i, id)| (format!("related.preceded_by[{i}]"), id)),
        )
        .chain(
            related
                .confused_with
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("related.confused_with[{i}].id"), &c.id)),
        );
    let missing: Vec<(String, &String)> = refs.filter(|(_, id)| !known.contains_key(*id)).collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let text = std::fs::read_to_string(&entry.path).unwrap_or_default();
    let locator = parse::split(&text)
        .ok()
        .map(|s| Locator::new(s.front, s.front_line));
    missing
        .into_iter()
        .map(|(key, id)| {
            Problem::error(
                &entry.path,
                locator.as_ref().map(|l| l.line(&key)),
                format!("related entry `{id}` does not exist"),
            )
        })
        .collect()
}
