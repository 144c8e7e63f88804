//! errorcanon JSON entries <-> catalog entries.
//!
//! [`ErrorCanon`] is the JSON shape (one object per file; a file may also hold an array
//! of them). [`convert`] imports files of that shape; [`export`] and [`to_json`] write an
//! entry back in it, for `logdoc export errorcanon` and for the HTTP server's
//! `/errors/{id}.json?format=errorcanon`.
//!
//! errorcanon -> logdoc -> errorcanon keeps every field: keys the shape does not name
//! (at the top and in items) are kept in `provenance.imported_from.extra`, and so is
//! which optional keys the source left out, so the export leaves them out again. The
//! import checks this on every file and reports a file whose export would differ.

use super::deadends::{dead_end_id, fix_id};
use super::{
    Converted, ErrorKind, Import, ImportError, NoteKind, Progress, Report, choose_pattern,
};
use crate::catalog::model::*;
use crate::catalog::{Entry, Translation};
use serde::{Deserialize, Serialize};
use serde_json::{Map as JsonMap, Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// An errorcanon entry, the JSON shape read by [`convert`] and written by [`export`].
///
/// ```json
/// {
///   "id": "policy/github-actions-oidc-token-permission-denied",
///   "signature": "Error: Failed to request OIDC token: 403 Forbidden. ...",
///   "signature_zh": "错误:请求 OIDC 令牌失败:403 禁止。...",
///   "regex": "Failed to request OIDC token: 403 Forbidden",
///   "domain": "policy",
///   "category": "auth_error",
///   "tags": ["github-actions", "oidc"],
///   "root_cause": "GitHub Actions OIDC token request denied because ...",
///   "root_cause_zh": "GitHub Actions OIDC 令牌请求被拒绝,因为 ...",
///   "root_cause_type": "generic",
///   "resolvable": "true",
///   "versions": [{"product": "GitHub Actions", "version": "2024-01", "status": "active",
///                 "introduced": "", "deprecated": "", "notes": ""}],
///   "official_docs": ["https://docs.github.com/en/actions/..."],
///   "workarounds": [{"action": "Update the OIDC trust policy ...", "how": "",
///                    "success_rate": 0.78, "condition": ""}],
///   "dead_ends": [{"action": "Re-run the workflow ...", "why_fails": "The OIDC token ...",
///                  "fail_rate": 1.0, "condition": ""}],
///   "fix_rate": 0.78,
///   "confidence": 0.87,
///   "evidence_count": 1,
///   "first_seen": "2024-01-20",
///   "last_confirmed": "2024-06-01",
///   "ai_generated": true
/// }
/// ```
///
/// Required: `id`, `signature`, `regex`, `domain`, `category`, `root_cause`,
/// `fix_rate`, `confidence`, `first_seen`, and per item `action` and the rate. The
/// `*_zh` fields become the zh translation file `<slug>.zh.md`. Any other key is kept
/// in `other` (and in items' `other`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorCanon {
    /// `<domain>/<slug>`.
    pub id: String,
    /// The canonical error message.
    pub signature: String,
    /// The message as the tool prints it in Chinese, or a translation for readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_zh: Option<String>,
    /// Rust `regex` syntax (other syntax is translated where possible).
    pub regex: String,
    pub domain: String,
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub root_cause: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause_zh: Option<String>,
    /// `generic` (default), `config`, `bug`, ...
    #[serde(default = "generic")]
    pub root_cause_type: String,
    /// `"true"` (default), `"partial"` or `"false"`.
    #[serde(default = "yes")]
    pub resolvable: String,
    #[serde(default)]
    pub versions: Vec<CanonVersion>,
    /// Official documentation URLs.
    #[serde(default)]
    pub official_docs: Vec<String>,
    /// Fixes, in order.
    #[serde(default)]
    pub workarounds: Vec<CanonWorkaround>,
    #[serde(default)]
    pub dead_ends: Vec<CanonDeadEnd>,
    pub fix_rate: f64,
    pub confidence: f64,
    #[serde(default)]
    pub evidence_count: u32,
    /// `YYYY-MM-DD`.
    pub first_seen: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_confirmed: Option<String>,
    /// Written with machine help (default true: an unknown origin is not claimed human).
    #[serde(default = "true_")]
    pub ai_generated: bool,
    /// Keys this shape does not name, kept verbatim.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A version compatibility row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanonVersion {
    /// Product name, e.g. `GitHub Actions` (`name` is read too).
    #[serde(alias = "name")]
    pub product: String,
    #[serde(default)]
    pub version: String,
    /// `active` (default), `deprecated` or `removed`.
    #[serde(default = "active")]
    pub status: String,
    #[serde(default)]
    pub introduced: String,
    #[serde(default)]
    pub deprecated: String,
    #[serde(default)]
    pub notes: String,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Something that resolves the error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanonWorkaround {
    pub action: String,
    /// Markdown: how to do it.
    #[serde(default)]
    pub how: String,
    pub success_rate: f64,
    #[serde(default)]
    pub condition: String,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Something people try that does not resolve the error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanonDeadEnd {
    pub action: String,
    #[serde(default)]
    pub why_fails: String,
    pub fail_rate: f64,
    #[serde(default)]
    pub condition: String,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

fn generic() -> String {
    "generic".to_string()
}

fn yes() -> String {
    "true".to_string()
}

fn active() -> String {
    "active".to_string()
}

fn true_() -> bool {
    true
}

/// The minimal objects that deserialize; serializing them gives every default.
const MINIMAL: &str = r#"{"id": "", "signature": "", "regex": "", "domain": "", "category": "",
    "root_cause": "", "fix_rate": 0.0, "confidence": 0.0, "first_seen": ""}"#;
const MINIMAL_VERSION: &str = r#"{"product": ""}"#;
const MINIMAL_WORKAROUND: &str = r#"{"action": "", "success_rate": 0.0}"#;
const MINIMAL_DEAD_END: &str = r#"{"action": "", "fail_rate": 0.0}"#;

/// Item lists and how their items are keyed in `extra` (`workarounds/fix-1`).
const ITEM_LISTS: [(&str, &str); 3] = [
    ("versions", MINIMAL_VERSION),
    ("workarounds", MINIMAL_WORKAROUND),
    ("dead_ends", MINIMAL_DEAD_END),
];

fn item_key(list: &str, index: usize) -> String {
    match list {
        "workarounds" => format!("workarounds/{}", fix_id(index)),
        "dead_ends" => format!("dead_ends/{}", dead_end_id(index)),
        _ => format!("{list}/{index}"),
    }
}

/// Serialized defaults of a minimal object (its keys are the shape's known keys).
fn defaults(minimal: &str, list: Option<&str>) -> JsonMap<String, Value> {
    let value: Result<Value, serde_json::Error> = match list {
        None => serde_json::from_str::<ErrorCanon>(minimal).and_then(serde_json::to_value),
        Some("versions") => {
            serde_json::from_str::<CanonVersion>(minimal).and_then(serde_json::to_value)
        }
        Some("workarounds") => {
            serde_json::from_str::<CanonWorkaround>(minimal).and_then(serde_json::to_value)
        }
        Some(_) => serde_json::from_str::<CanonDeadEnd>(minimal).and_then(serde_json::to_value),
    };
    match value {
        Ok(Value::Object(map)) => map,
        _ => JsonMap::new(),
    }
}

/// Reads every errorcanon file at `src` (a file or a directory of `.json` files) and
/// converts each entry; bad files are listed in the report, never fatal. A file may
/// hold one entry or an array of them; an array with a bad entry is skipped whole.
pub fn convert(src: &Path, progress: Progress<'_>) -> Result<Import, ImportError> {
    let files = super::json_files(src)?;
    let mut report = Report::default();
    let mut extra_entries = Vec::new();
    let converted = super::convert_files(&files, &mut report, progress, |path, value| {
        // A file may hold one entry or an array of them.
        match value {
            Value::Array(items) => {
                let mut converted = Vec::new();
                for (i, item) in items.into_iter().enumerate() {
                    match convert_value(path, item) {
                        Ok(c) => converted.push(c),
                        Err(err) => {
                            return Err(ImportError::invalid(
                                path,
                                format!("entry {i}: {}", err.kind),
                            ));
                        }
                    }
                }
                let mut converted = converted.into_iter();
                let first = converted
                    .next()
                    .ok_or_else(|| ImportError::invalid(path, "the array holds no entry"))?;
                extra_entries.extend(converted);
                Ok(first)
            }
            value => convert_value(path, value),
        }
    });
    let mut all = converted;
    all.append(&mut extra_entries);
    all.sort_by(|a, b| (&a.source, &a.meta.id).cmp(&(&b.source, &b.meta.id)));
    let kept = super::keep_valid(all, &mut report);
    // An array file counts once as read, but each of its entries as imported.
    Ok(super::render(kept, report))
}

/// Converts one errorcanon object.
fn convert_value(path: &Path, value: Value) -> Result<Converted, ImportError> {
    let original = super::sorted(value.clone());
    let absent = absent_keys(&value);
    let named = named_versions(&value);
    let canon: ErrorCanon = serde_json::from_value(value)
        .map_err(|err| ImportError::new(path, ErrorKind::json("an errorcanon entry", err)))?;
    let (mapped, mut notes) = super::start(path, &canon.id)?;
    let domain = mapped.id.split('/').next().unwrap_or_default().to_string();
    let date = |field: &str, text: &str| super::date(path, field, text);
    let first_seen = date("first_seen", &canon.first_seen)?;
    let last_confirmed = match &canon.last_confirmed {
        Some(text) => Some(date("last_confirmed", text)?),
        None => None,
    };
    let mut chosen = choose_pattern(&canon.regex, &canon.signature, false)
        .map_err(|m| ImportError::invalid(path, m))?;
    for (kind, message) in std::mem::take(&mut chosen.notes) {
        notes.add(kind, message);
    }

    // What the entry has no home for.
    let mut extra = JsonMap::new();
    if !absent.is_empty() {
        extra.insert("absent".into(), absent.into());
    }
    if !named.is_empty() {
        extra.insert("named".into(), named.into());
    }
    if !canon.other.is_empty() {
        extra.insert("other".into(), json!(canon.other));
    }
    let mut items = JsonMap::new();
    let others = canon
        .versions
        .iter()
        .map(|v| &v.other)
        .enumerate()
        .map(|(i, o)| (item_key("versions", i), o))
        .chain(
            canon
                .workarounds
                .iter()
                .enumerate()
                .map(|(i, w)| (item_key("workarounds", i), &w.other)),
        )
        .chain(
            canon
                .dead_ends
                .iter()
                .enumerate()
                .map(|(i, d)| (item_key("dead_ends", i), &d.other)),
        );
    for (key, other) in others {
        if !other.is_empty() {
            items.insert(key, json!(other));
        }
    }
    if !items.is_empty() {
        extra.insert("items".into(), Value::Object(items));
    }
    if chosen.changed {
        extra.insert(
            "regex".into(),
            json!({"source": canon.regex, "pattern": chosen.regex}),
        );
    }
    if canon.domain != domain {
        extra.insert("domain".into(), canon.domain.clone().into());
    }

    let meta = EntryMeta {
        id: mapped.id.clone(),
        title: super::title_from(&canon.signature),
        signature: canon.signature.clone(),
        domain,
        category: canon.category.clone(),
        tags: canon.tags.clone(),
        root_cause: canon.root_cause.clone(),
        root_cause_type: canon.root_cause_type.clone(),
        resolvable: canon.resolvable.clone(),
        fix_rate: canon.fix_rate,
        confidence: canon.confidence,
        evidence_count: canon.evidence_count,
        first_seen,
        last_confirmed,
        patterns: chosen.patterns(),
        versions: canon
            .versions
            .iter()
            .map(|v| VersionRow {
                product: v.product.clone(),
                version: v.version.clone(),
                status: v.status.clone(),
                introduced: v.introduced.clone(),
                deprecated: v.deprecated.clone(),
                notes: v.notes.clone(),
                requires: None,
            })
            .collect(),
        docs: canon
            .official_docs
            .iter()
            .map(|url| DocLink {
                url: url.clone(),
                title: String::new(),
                lang: "en".to_string(),
            })
            .collect(),
        fixes: canon
            .workarounds
            .iter()
            .enumerate()
            .map(|(i, w)| super::imported_fix(i, &w.action, &w.how, w.success_rate, &w.condition))
            .collect(),
        dead_ends: canon
            .dead_ends
            .iter()
            .enumerate()
            .map(|(i, d)| {
                super::imported_dead_end(i, &d.action, &d.why_fails, d.fail_rate, &d.condition)
            })
            .collect(),
        related: Related::default(),
        provenance: Provenance {
            ai_generated: canon.ai_generated,
            reviewed: false,
            sources: Vec::new(),
            imported_from: Some(ImportedFrom {
                source: "errorcanon".to_string(),
                source_id: canon.id.clone(),
                url: String::new(),
                license: String::new(),
                review_status: String::new(),
                extra: super::extra_text(Value::Object(extra)),
            }),
        },
        examples: vec![Example {
            log: canon.signature.clone(),
            source: String::new(),
            note: "the entry's signature".to_string(),
        }],
        counter_examples: Vec::new(),
    };
    let mut translations = BTreeMap::new();
    if canon.signature_zh.is_some() || canon.root_cause_zh.is_some() {
        let zh = TranslationMeta {
            signature: canon.signature_zh.clone(),
            root_cause: canon.root_cause_zh.clone(),
            ai_generated: canon.ai_generated,
            reviewed: false,
            ..TranslationMeta::default()
        };
        translations.insert("zh".to_string(), (zh, String::new()));
    }
    let body = format!("Imported from the errorcanon entry `{}`.\n", canon.id);

    // The round trip must give the source back.
    let entry = Entry {
        meta: meta.clone(),
        body: body.clone(),
        path: path.to_path_buf(),
        translations: translations
            .iter()
            .map(|(lang, (meta, body))| {
                let t = Translation {
                    meta: meta.clone(),
                    body: body.clone(),
                    path: path.to_path_buf(),
                };
                (lang.clone(), t)
            })
            .collect(),
    };
    if let Some(at) = first_difference(&original, &export(&entry), String::new()) {
        notes.add(
            NoteKind::RoundTrip,
            format!(
                "exporting the entry would not give the source back (first difference at `{at}`)"
            ),
        );
    }

    Ok(Converted {
        source: path.to_path_buf(),
        meta,
        body,
        translations,
        notes: notes.into_vec(),
        residue: Value::Null,
        pending: Vec::new(),
    })
}

/// Known keys missing from a source object, as `key` or `list/item/key` paths.
fn absent_keys(value: &Value) -> Vec<String> {
    let Some(object) = value.as_object() else {
        return Vec::new();
    };
    let mut absent: Vec<String> = defaults(MINIMAL, None)
        .keys()
        .filter(|k| !object.contains_key(*k))
        .cloned()
        .collect();
    for (list, minimal) in ITEM_LISTS {
        let known = defaults(minimal, Some(list));
        let items = object.get(list).and_then(Value::as_array);
        for (i, item) in items.into_iter().flatten().enumerate() {
            let Some(item) = item.as_object() else {
                continue;
            };
            for key in known.keys() {
                // `name` is read as `product`; the export writes `product`.
                let named = key == "product" && item.contains_key("name");
                if !item.contains_key(key) && !named {
                    absent.push(format!("{}/{key}", item_key(list, i)));
                }
            }
        }
    }
    absent
}

/// Version rows that call their product `name` (`versions/0`, ...).
fn named_versions(value: &Value) -> Vec<String> {
    let rows = value.get("versions").and_then(Value::as_array);
    rows.into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, row)| row.get("name").is_some() && row.get("product").is_none())
        .map(|(i, _)| item_key("versions", i))
        .collect()
}

/// The entry in the errorcanon shape, without the keys its source left out.
pub fn export(entry: &Entry) -> Value {
    let imported = entry
        .meta
        .provenance
        .imported_from
        .as_ref()
        .filter(|i| i.source == "errorcanon");
    let extra: JsonMap<String, Value> = imported
        .and_then(|i| serde_json::from_str(&i.extra).ok())
        .unwrap_or_default();
    let canon = to_canon(entry, &extra);
    let mut value = match serde_json::to_value(&canon) {
        Ok(Value::Object(map)) => map,
        _ => JsonMap::new(),
    };
    if let Some(absent) = extra.get("absent").and_then(Value::as_array) {
        remove_absent(&mut value, absent);
    }
    let named = extra.get("named").and_then(Value::as_array);
    for key in named.into_iter().flatten().filter_map(Value::as_str) {
        let row = key
            .strip_prefix("versions/")
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| value.get_mut("versions")?.get_mut(i)?.as_object_mut());
        if let Some(row) = row
            && let Some(product) = row.remove("product")
        {
            row.insert("name".into(), product);
        }
    }
    super::sorted(Value::Object(value))
}

/// [`export`] as pretty JSON text ending in a newline.
pub fn to_json(entry: &Entry) -> String {
    let mut text = serde_json::to_string_pretty(&export(entry)).unwrap_or_default();
    text.push('\n');
    text
}

/// The entry as an [`ErrorCanon`], with the unnamed keys from an errorcanon import's
/// `extra` put back.
fn to_canon(entry: &Entry, extra: &JsonMap<String, Value>) -> ErrorCanon {
    let meta = &entry.meta;
    let zh = entry.translations.get("zh").map(|t| &t.meta);
    let item_other = |key: String| -> BTreeMap<String, Value> {
        extra
            .get("items")
            .and_then(|items| items.get(&key))
            .and_then(|o| serde_json::from_value(o.clone()).ok())
            .unwrap_or_default()
    };
    let pattern = meta.patterns.first().map_or("", |p| p.regex.as_str());
    let regex = extra
        .get("regex")
        .filter(|r| r.get("pattern").and_then(Value::as_str) == Some(pattern))
        .and_then(|r| r.get("source").and_then(Value::as_str))
        .unwrap_or(pattern);
    let id = meta
        .provenance
        .imported_from
        .as_ref()
        .filter(|i| i.source == "errorcanon")
        .map_or(meta.id.as_str(), |i| i.source_id.as_str());
    ErrorCanon {
        id: id.to_string(),
        signature: meta.signature.clone(),
        signature_zh: zh.and_then(|t| t.signature.clone()),
        regex: regex.to_string(),
        domain: extra
            .get("domain")
            .and_then(Value::as_str)
            .unwrap_or(&meta.domain)
            .to_string(),
        category: meta.category.clone(),
        tags: meta.tags.clone(),
        root_cause: meta.root_cause.clone(),
        root_cause_zh: zh.and_then(|t| t.root_cause.clone()),
        root_cause_type: meta.root_cause_type.clone(),
        resolvable: meta.resolvable.clone(),
        versions: meta
            .versions
            .iter()
            .enumerate()
            .map(|(i, v)| CanonVersion {
                product: v.product.clone(),
                version: v.version.clone(),
                status: v.status.clone(),
                introduced: v.introduced.clone(),
                deprecated: v.deprecated.clone(),
                notes: v.notes.clone(),
                other: item_other(item_key("versions", i)),
            })
            .collect(),
        official_docs: meta.docs.iter().map(|d| d.url.clone()).collect(),
        workarounds: meta
            .fixes
            .iter()
            .map(|f| CanonWorkaround {
                action: f.action.clone(),
                how: f.how.clone(),
                success_rate: f.success_rate,
                condition: f.condition.clone(),
                other: item_other(format!("workarounds/{}", f.id)),
            })
            .collect(),
        dead_ends: meta
            .dead_ends
            .iter()
            .map(|d| CanonDeadEnd {
                action: d.action.clone(),
                why_fails: d.why.clone(),
                fail_rate: d.fail_rate,
                condition: d.condition.clone(),
                other: item_other(format!("dead_ends/{}", d.id)),
            })
            .collect(),
        fix_rate: meta.fix_rate,
        confidence: meta.confidence,
        evidence_count: meta.evidence_count,
        first_seen: meta.first_seen.as_str().to_string(),
        last_confirmed: meta.last_confirmed.as_ref().map(|d| d.as_str().to_string()),
        ai_generated: meta.provenance.ai_generated,
        other: extra
            .get("other")
            .and_then(|o| serde_json::from_value(o.clone()).ok())
            .unwrap_or_default(),
    }
}

/// Removes the keys the source left out, where they still hold their default.
fn remove_absent(value: &mut JsonMap<String, Value>, absent: &[Value]) {
    let top = defaults(MINIMAL, None);
    let item_defaults: BTreeMap<&str, JsonMap<String, Value>> = ITEM_LISTS
        .iter()
        .map(|(list, minimal)| (*list, defaults(minimal, Some(list))))
        .collect();
    // Item keys: `workarounds/fix-1` -> index in the exported list, by item id.
    let ids = |list: &str| -> Vec<String> {
        let len = value
            .get(list)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        (0..len).map(|i| item_key(list, i)).collect()
    };
    let item_ids: BTreeMap<&str, Vec<String>> = ITEM_LISTS
        .iter()
        .map(|(list, _)| (*list, ids(list)))
        .collect();
    for path in absent.iter().filter_map(Value::as_str) {
        match path.rsplit_once('/') {
            None => {
                if value.get(path).is_some() && value.get(path) == top.get(path) {
                    value.remove(path);
                }
            }
            Some((item, key)) => {
                let list = item.split('/').next().unwrap_or("");
                let (Some(defaults), Some(keys)) = (item_defaults.get(list), item_ids.get(list))
                else {
                    continue;
                };
                let Some(index) = keys.iter().position(|k| k == item) else {
                    continue;
                };
                let target = value
                    .get_mut(list)
                    .and_then(|l| l.get_mut(index))
                    .and_then(Value::as_object_mut);
                if let Some(target) = target
                    && target.get(key).is_some()
                    && target.get(key) == defaults.get(key)
                {
                    target.remove(key);
                }
            }
        }
    }
}

/// The path of the first place where `a` and `b` differ, if any.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(p), Some(q)) => first_difference(p, q, format!("{at}/{k}")),
                _ => Some(format!("{at}/{k}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(if at.is_empty() { "/".to_string() } else { at }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_name_every_known_key() {
        let top = defaults(MINIMAL, None);
        assert_eq!(top.get("root_cause_type"), Some(&json!("generic")));
        assert_eq!(top.get("ai_generated"), Some(&json!(true)));
        assert!(!top.contains_key("signature_zh"));
        assert_eq!(
            defaults(MINIMAL_WORKAROUND, Some("workarounds")).get("how"),
            Some(&json!(""))
        );
        assert_eq!(
            defaults(MINIMAL_VERSION, Some("versions")).get("status"),
            Some(&json!("active"))
        );
    }

    #[test]
    fn finds_differences() {
        let a = json!({"a": [1, {"b": 2}]});
        assert_eq!(first_difference(&a, &a, String::new()), None);
        let b = json!({"a": [1, {"b": 3}]});
        assert_eq!(
            first_difference(&a, &b, String::new()).as_deref(),
            Some("/a/1/b")
        );
    }
}
