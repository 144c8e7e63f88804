//! The entry model: what an entry file's TOML front matter says, typed.
//!
//! Every struct denies unknown fields so a typo in a key is an error, not a silently
//! ignored value. Meaning (ranges, references, regexes) is checked later by
//! [`super::validate`].

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// The front matter of an entry file (`catalog/<domain>/<slug>.md`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EntryMeta {
    /// `<domain>/<slug>` (imported entries may carry a third segment); mirrors the path.
    pub id: String,
    /// Short human title.
    pub title: String,
    /// The canonical error message as the tool prints it.
    pub signature: String,
    /// Top-level grouping, equal to the first id segment.
    pub domain: String,
    /// Kind of error, e.g. `auth_error`, `config_error`.
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// One or two sentences: why the error happens.
    pub root_cause: String,
    /// `generic`, `config`, `bug`, `environment`, `platform`, `network`, `permission`, `dependency`.
    pub root_cause_type: String,
    /// Whether the error can be fixed by the user: `true`, `partial` or `false`.
    #[serde(default = "default_resolvable")]
    pub resolvable: String,
    /// Share of reports where one of the fixes worked, in [0, 1].
    pub fix_rate: f64,
    /// How sure the catalog is of this entry's content, in [0, 1].
    pub confidence: f64,
    /// Number of independent reports behind the entry.
    pub evidence_count: u32,
    pub first_seen: Date,
    #[serde(default)]
    pub last_confirmed: Option<Date>,
    /// Regexes that recognise the error in a log line.
    pub patterns: Vec<Pattern>,
    #[serde(default)]
    pub versions: Vec<VersionRow>,
    #[serde(default)]
    pub docs: Vec<DocLink>,
    pub fixes: Vec<Fix>,
    #[serde(default)]
    pub dead_ends: Vec<DeadEnd>,
    #[serde(default)]
    pub related: Related,
    pub provenance: Provenance,
    /// Real log excerpts that must diagnose to this entry.
    #[serde(default)]
    pub examples: Vec<Example>,
    /// Log excerpts that must not diagnose to this entry.
    #[serde(default)]
    pub counter_examples: Vec<Example>,
}

fn default_resolvable() -> String {
    "true".to_string()
}

/// A pattern: one regex over a clean log line, optionally requiring a second regex
/// on a nearby line (multi-line indications).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// Rust `regex` syntax. Named groups become captures of the diagnosis.
    pub regex: String,
    /// A second regex that must match within `near_before` lines before or
    /// `near_after` lines after the primary match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub near: Option<String>,
    #[serde(default)]
    pub near_before: u32,
    #[serde(default)]
    pub near_after: u32,
    /// How much a hit of this pattern alone proves, in (0, 1]; default 1.0.
    /// Lower it for patterns that also fire on neighbouring errors.
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

impl Pattern {
    /// A lone regex of full weight, without a `near` condition.
    pub fn plain(regex: String) -> Pattern {
        Pattern {
            regex,
            near: None,
            near_before: 0,
            near_after: 0,
            weight: 1.0,
        }
    }
}

/// A row of the version compatibility table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VersionRow {
    pub product: String,
    pub version: String,
    /// `active`, `deprecated` or `removed`.
    pub status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub introduced: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub deprecated: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Machine-readable condition on a tool version read from the log, e.g. `node >=20`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
}

/// An official documentation link, per locale where the vendor has one.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DocLink {
    pub url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(default = "default_lang")]
    pub lang: String,
}

fn default_lang() -> String {
    "en".to_string()
}

/// Where a rate comes from.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    /// Judgement of the entry's author from docs and threads.
    Curated,
    /// Counted from the threads listed in the provenance.
    Counted,
    /// Taken over from the knowledge base the entry was imported or seeded from.
    Imported,
}

/// Something that resolves the error.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    /// Stable item id, used by translations.
    pub id: String,
    /// One line: what to do. May use `{capture}` placeholders.
    pub action: String,
    /// Markdown: how to do it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub how: String,
    pub success_rate: f64,
    pub rate_source: RateSource,
    /// When this fix applies (prose).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub condition: String,
    /// Machine-readable version condition, e.g. `node >=18`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
}

/// Something people try that does not resolve the error.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeadEnd {
    pub id: String,
    pub action: String,
    /// Why it does not work.
    pub why: String,
    pub fail_rate: f64,
    pub rate_source: RateSource,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub condition: String,
}

/// Relations to other entries.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Related {
    /// Errors this one causes later in the same log.
    #[serde(default)]
    pub leads_to: Vec<String>,
    /// Errors that usually come before this one.
    #[serde(default)]
    pub preceded_by: Vec<String>,
    #[serde(default)]
    pub confused_with: Vec<ConfusedWith>,
}

/// An entry often mistaken for this one, and how to tell them apart.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConfusedWith {
    pub id: String,
    pub distinction: String,
}

/// Where the entry's content comes from.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// Written with machine help.
    pub ai_generated: bool,
    /// Checked by a person against the sources.
    pub reviewed: bool,
    /// URLs the facts, rates and examples come from.
    #[serde(default)]
    pub sources: Vec<String>,
    /// For imported entries: the knowledge base, its id and licence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_from: Option<ImportedFrom>,
}

/// Origin of an imported entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedFrom {
    /// `deadends` or `errorcanon`.
    pub source: String,
    pub source_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub license: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub review_status: String,
    /// Fields of the source that have no home in the entry format, kept verbatim (JSON).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub extra: String,
}

/// A log excerpt (verbatim) and where it was published.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub log: String,
    /// URL of the public thread the excerpt was copied from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A calendar date `YYYY-MM-DD`, written as a TOML date (or a string) in files.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Date(String);

impl Date {
    /// Parses `YYYY-MM-DD`, checking month and day against the calendar.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<u32>().ok();
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1970 && (1..=days).contains(&day)).then(|| Date(text.to_string()))
    }

    /// Today's date (UTC).
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = (secs / 86_400) as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date(format!("{year:04}-{month:02}-{day:02}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Toml(toml::value::Datetime),
            Text(String),
        }
        let text = match Repr::deserialize(deserializer)? {
            Repr::Toml(dt) => dt.to_string(),
            Repr::Text(text) => text,
        };
        Date::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a valid date (YYYY-MM-DD)"))
        })
    }
}

/// A translation file (`<slug>.<lang>.md`): text overrides by item id, no numbers.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TranslationMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The signature as the tool prints it in this locale, or a translation for readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<String>,
    /// Fix texts by fix id.
    #[serde(default)]
    pub fixes: BTreeMap<String, FixText>,
    /// Dead-end texts by dead-end id.
    #[serde(default)]
    pub dead_ends: BTreeMap<String, DeadEndText>,
    /// Distinctions by the confused entry's id.
    #[serde(default)]
    pub confused_with: BTreeMap<String, String>,
    /// Version-row notes by row index (as a string, "0", "1", ...).
    #[serde(default)]
    pub version_notes: BTreeMap<String, String>,
    /// Translated with machine help.
    pub ai_generated: bool,
    pub reviewed: bool,
}

/// Translated text of a fix.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixText {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// Translated text of a dead end.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeadEndText {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}
