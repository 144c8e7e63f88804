//! The catalog's examples run through the matcher: each example must diagnose to its
//! own entry first, no counter-example may diagnose to it.

use super::{Matcher, Options};
use crate::catalog::{Catalog, Entry, Problem};

/// Problems with examples and counter-examples, and warnings for weak patterns.
pub fn check(catalog: &Catalog, matcher: &Matcher) -> Vec<Problem> {
    let mut problems = Vec::new();
    let options = Options {
        top: usize::MAX,
        ..Options::default()
    };
    for entry in catalog.entries() {
        let id = &entry.meta.id;
        // Imported catalogs overlap; there, being outranked is a warning only.
        let lenient = entry.meta.provenance.imported_from.is_some();
        for (i, ex) in entry.meta.examples.iter().enumerate() {
            let report = matcher.diagnose_text("example", &ex.log, &options);
            let key = format!("examples[{i}]");
            match report.diagnoses.iter().position(|d| &d.id == id) {
                Some(0) => {}
                Some(rank) => {
                    let first = &report.diagnoses[0];
                    let message = format!(
                        "example {} diagnoses first to {} ({:.2}); this entry comes {} ({:.2})",
                        i + 1,
                        first.id,
                        first.confidence,
                        rank + 1,
                        report.diagnoses[rank].confidence
                    );
                    problems.push(located(entry, &key, message, lenient));
                }
                None => {
                    let got = report.diagnoses.first().map_or("nothing".to_string(), |d| {
                        format!("{} ({:.2})", d.id, d.confidence)
                    });
                    // An imported example that the entry's own pattern matches is the
                    // source's data ranking poorly, not a broken entry.
                    let matched = lenient && matches_own_pattern(entry, &ex.log);
                    let message = if matched {
                        format!(
                            "example {} is matched by the entry's pattern but does not diagnose to it (got {got})",
                            i + 1
                        )
                    } else {
                        format!(
                            "example {} does not diagnose to this entry (got {got})",
                            i + 1
                        )
                    };
                    problems.push(located(entry, &key, message, matched));
                }
            }
        }
        for (i, ex) in entry.meta.counter_examples.iter().enumerate() {
            let report = matcher.diagnose_text("counter-example", &ex.log, &options);
            if let Some(d) = report.diagnoses.iter().find(|d| &d.id == id) {
                let message = format!(
                    "counter-example {} diagnoses to this entry ({:.2}) on line {}",
                    i + 1,
                    d.confidence,
                    d.evidence.first().map_or(0, |e| e.line)
                );
                problems.push(located(
                    entry,
                    &format!("counter_examples[{i}]"),
                    message,
                    false,
                ));
            }
        }
    }
    for (id, index) in matcher.weak_patterns() {
        if let Some(entry) = catalog.get(id) {
            let message = format!(
                "pattern {} requires no literal of 3+ characters beyond common words: it is tried on every error-like line",
                index + 1
            );
            problems.push(located(
                entry,
                &format!("patterns[{index}].regex"),
                message,
                true,
            ));
        }
    }
    problems
}

/// Whether a pattern of `entry` matches a line of `log` as written.
fn matches_own_pattern(entry: &Entry, log: &str) -> bool {
    let regexes: Vec<regex::Regex> = entry
        .meta
        .patterns
        .iter()
        .filter_map(|p| crate::catalog::validate::compile(&p.regex).ok())
        .collect();
    log.lines()
        .any(|line| regexes.iter().any(|r| r.is_match(line)))
}

fn located(entry: &Entry, key: &str, message: String, warning: bool) -> Problem {
    let line = entry.key_line(key);
    if warning {
        Problem::warning(&entry.path, line, message)
    } else {
        Problem::error(&entry.path, line, message)
    }
}
