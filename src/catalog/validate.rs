//! Meaning checks on typed entries and translations: what serde cannot see.
//!
//! Each check yields a [`Finding`] naming the key path it concerns (e.g.
//! `fixes[1].success_rate`); the loader turns key paths into line numbers.

use super::model::*;
use super::{Entry, LANGS, Severity};
use regex::RegexBuilder;

/// A problem in one file, located by key path.
#[derive(Debug, Clone)]
pub struct Finding {
    pub key: String,
    pub severity: Severity,
    pub message: String,
}

const ROOT_CAUSE_TYPES: [&str; 8] = [
    "generic",
    "config",
    "bug",
    "environment",
    "platform",
    "network",
    "permission",
    "dependency",
];
const STATUSES: [&str; 3] = ["active", "deprecated", "removed"];
const RESOLVABLE: [&str; 3] = ["true", "partial", "false"];

/// Size limit for one compiled pattern; larger patterns are refused.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a catalog regex the way the matcher does.
pub fn compile(pattern: &str) -> Result<regex::Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
}

#[derive(Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn error(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(Finding {
            key: key.into(),
            severity: Severity::Error,
            message: message.into(),
        });
    }

    fn rate(&mut self, key: String, value: f64) {
        if !(0.0..=1.0).contains(&value) {
            self.error(key, format!("rate {value} is outside [0, 1]"));
        }
    }

    fn non_empty(&mut self, key: &str, value: &str) {
        if value.trim().is_empty() {
            self.error(key, format!("`{key}` must not be empty"));
        }
    }

    fn url(&mut self, key: String, url: &str) {
        if !is_absolute_http_url(url) {
            self.error(key, format!("`{url}` is not an absolute http(s) URL"));
        }
    }

    fn one_of(&mut self, key: String, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.error(
                key,
                format!("`{value}` is not one of: {}", allowed.join(", ")),
            );
        }
    }

    fn requires(&mut self, key: String, requires: &Option<String>) {
        if let Some(text) = requires
            && let Err(message) = super::Requirement::parse(text)
        {
            self.error(key, message);
        }
    }
}

/// True for `http://host...` or `https://host...` with a non-empty host and no spaces.
pub fn is_absolute_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !url.contains(char::is_whitespace)
    })
}

/// True when `segment` is a valid id segment: lowercase ASCII letters, digits, `-`, `_`.
fn is_id_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !segment.starts_with('-')
}

/// Checks one entry's front matter. `expected_id` is derived from its path.
pub fn entry(meta: &EntryMeta, expected_id: &str) -> Vec<Finding> {
    let mut f = Findings::default();
    if meta.id != expected_id {
        f.error(
            "id",
            format!(
                "id `{}` does not match the file's path (expected `{expected_id}`)",
                meta.id
            ),
        );
    }
    let segments: Vec<&str> = meta.id.split('/').collect();
    if !(2..=3).contains(&segments.len()) || !segments.iter().all(|s| is_id_segment(s)) {
        f.error(
            "id",
            "id must be `<domain>/<slug>` (or `<domain>/<slug>/<variant>`) in lowercase letters, digits, `-` and `_`",
        );
    }
    if segments[0] != meta.domain {
        f.error(
            "domain",
            format!(
                "domain `{}` differs from the id's first segment `{}`",
                meta.domain, segments[0]
            ),
        );
    }
    for (key, value) in [
        ("title", &meta.title),
        ("signature", &meta.signature),
        ("category", &meta.category),
        ("root_cause", &meta.root_cause),
    ] {
        f.non_empty(key, value);
    }
    f.one_of(
        "root_cause_type".into(),
        &meta.root_cause_type,
        &ROOT_CAUSE_TYPES,
    );
    f.one_of("resolvable".into(), &meta.resolvable, &RESOLVABLE);
    f.rate("fix_rate".into(), meta.fix_rate);
    f.rate("confidence".into(), meta.confidence);
    if let Some(last) = &meta.last_confirmed
        && last < &meta.first_seen
    {
        f.error("last_confirmed", "last_confirmed is before first_seen");
    }
    let today = Date::today();
    if meta.first_seen > today {
        f.error("first_seen", "first_seen is in the future");
    }

    if meta.patterns.is_empty() {
        f.error("patterns", "an entry needs at least one pattern");
    }
    for (i, p) in meta.patterns.iter().enumerate() {
        if let Err(err) = compile(&p.regex) {
            f.error(
                format!("patterns[{i}].regex"),
                format!("regex does not compile: {}", one_line(&err)),
            );
        }
        match &p.near {
            Some(near) => {
                if let Err(err) = compile(near) {
                    f.error(
                        format!("patterns[{i}].near"),
                        format!("regex does not compile: {}", one_line(&err)),
                    );
                }
                if p.near_before == 0 && p.near_after == 0 {
                    f.error(
                        format!("patterns[{i}].near"),
                        "`near` needs `near_before` or `near_after` > 0",
                    );
                }
            }
            None if p.near_before > 0 || p.near_after > 0 => {
                f.error(
                    format!("patterns[{i}].near_before"),
                    "`near_before`/`near_after` without `near`",
                );
            }
            None => {}
        }
        if !(p.weight > 0.0 && p.weight <= 1.0) {
            f.error(
                format!("patterns[{i}].weight"),
                format!("weight {} is outside (0, 1]", p.weight),
            );
        }
    }

    for (i, v) in meta.versions.iter().enumerate() {
        f.non_empty(&format!("versions[{i}].product"), &v.product);
        f.one_of(format!("versions[{i}].status"), &v.status, &STATUSES);
        f.requires(format!("versions[{i}].requires"), &v.requires);
    }
    for (i, d) in meta.docs.iter().enumerate() {
        f.url(format!("docs[{i}].url"), &d.url);
        f.one_of(format!("docs[{i}].lang"), &d.lang, &LANGS);
    }
    if meta.fixes.is_empty() {
        f.error("fixes", "an entry needs at least one fix");
    }
    let mut item_ids = std::collections::HashSet::new();
    for (i, fix) in meta.fixes.iter().enumerate() {
        item_id(&mut f, &mut item_ids, format!("fixes[{i}].id"), &fix.id);
        f.non_empty(&format!("fixes[{i}].action"), &fix.action);
        f.rate(format!("fixes[{i}].success_rate"), fix.success_rate);
        f.requires(format!("fixes[{i}].requires"), &fix.requires);
    }
    for (i, d) in meta.dead_ends.iter().enumerate() {
        item_id(&mut f, &mut item_ids, format!("dead_ends[{i}].id"), &d.id);
        f.non_empty(&format!("dead_ends[{i}].action"), &d.action);
        f.rate(format!("dead_ends[{i}].fail_rate"), d.fail_rate);
    }
    for (i, c) in meta.related.confused_with.iter().enumerate() {
        f.non_empty(
            &format!("related.confused_with[{i}].distinction"),
            &c.distinction,
        );
    }
    for (i, url) in meta.provenance.sources.iter().enumerate() {
        f.url(format!("provenance.sources[{i}]"), url);
    }
    if let Some(imported) = &meta.provenance.imported_from
        && !imported.url.is_empty()
    {
        f.url("provenance.imported_from.url".into(), &imported.url);
    }
    if meta.examples.is_empty() {
        f.error(
            "examples",
            "an entry needs at least one example log excerpt",
        );
    }
    for (kind, list) in [
        ("examples", &meta.examples),
        ("counter_examples", &meta.counter_examples),
    ] {
        for (i, ex) in list.iter().enumerate() {
            f.non_empty(&format!("{kind}[{i}].log"), &ex.log);
            if !ex.source.is_empty() {
                f.url(format!("{kind}[{i}].source"), &ex.source);
            }
        }
    }
    f.0
}

fn item_id(f: &mut Findings, seen: &mut std::collections::HashSet<String>, key: String, id: &str) {
    if !is_id_segment(id) {
        f.error(
            key,
            format!("item id `{id}` must be lowercase letters, digits, `-` and `_`"),
        );
    } else if !seen.insert(id.to_string()) {
        f.error(key, format!("item id `{id}` is used twice in this entry"));
    }
}

/// Checks a translation against the entry it translates.
pub fn translation(t: &TranslationMeta, entry: &Entry) -> Vec<Finding> {
    let mut f = Findings::default();
    let meta = &entry.meta;
    for id in t.fixes.keys() {
        if !meta.fixes.iter().any(|x| &x.id == id) {
            f.error(
                format!("fixes.{id}"),
                format!("no fix with id `{id}` in {}", meta.id),
            );
        }
    }
    for id in t.dead_ends.keys() {
        if !meta.dead_ends.iter().any(|x| &x.id == id) {
            f.error(
                format!("dead_ends.{id}"),
                format!("no dead end with id `{id}` in {}", meta.id),
            );
        }
    }
    for id in t.confused_with.keys() {
        if !meta.related.confused_with.iter().any(|x| &x.id == id) {
            f.error(
                "confused_with",
                format!("{} has no confused_with entry `{id}`", meta.id),
            );
        }
    }
    for index in t.version_notes.keys() {
        if index
            .parse::<usize>()
            .map_or(true, |i| i >= meta.versions.len())
        {
            f.error(
                "version_notes",
                format!("{} has no version row {index}", meta.id),
            );
        }
    }
    f.0
}

/// A regex error on one line (they come multi-line with a caret diagram).
fn one_line(err: &regex::Error) -> String {
    err.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
