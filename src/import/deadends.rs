//! deadends.dev canons -> catalog entries.
//!
//! A canon is one JSON file, `<domain>/<slug>/<env>.json` (some are flattened to
//! `<domain>/<slug>_<env>.json`; the `id` inside is what counts). Its id is kept as the
//! entry id (mapped by [`super::ids`] where it has characters the catalog refuses), so
//! a diagnosis names the canon one-to-one. The fields map as follows:
//!
//! | canon                                   | entry                                          |
//! |-----------------------------------------|------------------------------------------------|
//! | `error.signature`                       | `signature`, `title` (first line), `examples[0]` |
//! | `error.regex`                           | `patterns[0].regex`, `(?i)` + Rust syntax     |
//! | `error.category`, `first_seen`, `last_confirmed` | same names                          |
//! | `environment.runtime` (name, range)     | `versions[0]` (product, version, `requires`)  |
//! | `environment.os`                        | `tags`, `versions[0].notes`                    |
//! | `verdict.summary`                       | `root_cause`                                   |
//! | `verdict.fix_success_rate`, `confidence`, `resolvable` | `fix_rate`, `confidence`, `resolvable` |
//! | `dead_ends[]` (action, why_fails, fail_rate, condition) | `dead_ends[]` (`dead-end-N`) |
//! | `workarounds[]` (action, how, success_rate, condition)  | `fixes[]` (`fix-N`)          |
//! | `dead_ends[].sources`, `workarounds[].sources` | `provenance.sources` (sorted, unique)   |
//! | `transition_graph` (ids in the imported set) | `related`                                 |
//! | `metadata.evidence_count`               | `evidence_count`                               |
//! | `metadata.generated_by`                 | `provenance.ai_generated` (false for `manual`) |
//! | `id`, `url`, `metadata.review_status`   | `provenance.imported_from`                     |
//!
//! Rates are `rate_source = "imported"`, `reviewed` is false, `root_cause_type` is
//! `generic` (canons have none). Everything else, including per-item sources,
//! transition probabilities and conditions, and relations to canons outside the
//! imported set, is kept verbatim in `provenance.imported_from.extra` (JSON, items
//! keyed by their entry item id).

use super::{Converted, ErrorKind, Import, ImportError, Progress, Report, choose_pattern, ids};
use crate::catalog::Requirement;
use crate::catalog::model::*;
use crate::catalog::validate::is_absolute_http_url;
use serde::Deserialize;
use serde_json::{Map as JsonMap, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

/// Keys a canon has that the importer does not read, kept verbatim.
pub type Other = BTreeMap<String, Value>;

/// A deadends.dev canon (schema 1.0.0), as far as the importer reads it. Every level
/// keeps the keys it does not name in `other`.
#[derive(Debug, Clone, Deserialize)]
pub struct Canon {
    /// `<domain>/<slug>/<env>`.
    pub id: String,
    #[serde(default)]
    pub url: String,
    pub error: CanonError,
    #[serde(default)]
    pub environment: Environment,
    pub verdict: Verdict,
    #[serde(default)]
    pub dead_ends: Vec<CanonDeadEnd>,
    #[serde(default)]
    pub workarounds: Vec<Workaround>,
    #[serde(default)]
    pub transition_graph: TransitionGraph,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(flatten)]
    pub other: Other,
}

/// The error a canon describes.
#[derive(Debug, Clone, Deserialize)]
pub struct CanonError {
    pub signature: String,
    /// Python `re` syntax, used case-insensitively by deadends.dev.
    pub regex: String,
    #[serde(default)]
    pub domain: String,
    pub category: String,
    pub first_seen: String,
    #[serde(default)]
    pub last_confirmed: Option<String>,
    #[serde(flatten)]
    pub other: Other,
}

/// Where the canon applies.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Environment {
    #[serde(default)]
    pub runtime: Option<Runtime>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(flatten)]
    pub other: Other,
}

/// The runtime (tool) and its version range, e.g. `node`, `>=18,<20`.
#[derive(Debug, Clone, Deserialize)]
pub struct Runtime {
    pub name: String,
    #[serde(default)]
    pub version_range: String,
    #[serde(flatten)]
    pub other: Other,
}

/// The canon's verdict.
#[derive(Debug, Clone, Deserialize)]
pub struct Verdict {
    /// `"true"`, `"partial"` or `"false"` (a JSON boolean is accepted too).
    #[serde(default)]
    pub resolvable: Option<Value>,
    pub fix_success_rate: f64,
    pub confidence: f64,
    pub summary: String,
    #[serde(flatten)]
    pub other: Other,
}

/// Something that does not work.
#[derive(Debug, Clone, Deserialize)]
pub struct CanonDeadEnd {
    pub action: String,
    #[serde(default)]
    pub why_fails: String,
    pub fail_rate: f64,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub condition: String,
    #[serde(flatten)]
    pub other: Other,
}

/// Something that works.
#[derive(Debug, Clone, Deserialize)]
pub struct Workaround {
    pub action: String,
    #[serde(default)]
    pub how: String,
    pub success_rate: f64,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub condition: String,
    #[serde(flatten)]
    pub other: Other,
}

/// Relations to other canons; items are kept as JSON (`error_id` plus probability,
/// condition, distinction...).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TransitionGraph {
    #[serde(default)]
    pub leads_to: Vec<Value>,
    #[serde(default)]
    pub preceded_by: Vec<Value>,
    #[serde(default)]
    pub frequently_confused_with: Vec<Value>,
    #[serde(flatten)]
    pub other: Other,
}

/// Bookkeeping of deadends.dev.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub generated_by: String,
    #[serde(default)]
    pub review_status: String,
    #[serde(default)]
    pub evidence_count: u32,
    #[serde(flatten)]
    pub other: Other,
}

/// The licence of the deadends.dev data set.
pub const LICENSE: &str = "CC-BY-4.0";

/// Reads every canon below `src` and converts it (see the module docs); bad files are
/// listed in the report, never fatal. Fails only when `src` cannot be read.
pub fn convert(src: &Path, progress: Progress<'_>) -> Result<Import, ImportError> {
    let files = super::json_files(src)?;
    let mut report = Report::default();
    let converted = super::convert_files(&files, &mut report, progress, |path, value| {
        let canon: Canon = serde_json::from_value(value)
            .map_err(|err| ImportError::new(path, ErrorKind::json("a deadends.dev canon", err)))?;
        convert_canon(path, canon)
    });
    let mut kept = super::keep_valid(converted, &mut report);
    let known: HashSet<String> = kept.iter().map(|c| c.meta.id.clone()).collect();
    for entry in &mut kept {
        resolve_relations(entry, &known);
    }
    Ok(super::render(kept, report))
}

/// Converts one canon; relations are resolved later, once the imported set is known.
fn convert_canon(path: &Path, canon: Canon) -> Result<Converted, ImportError> {
    let (mapped, mut notes) = super::start(path, &canon.id)?;
    let domain = mapped.id.split('/').next().unwrap_or_default().to_string();
    let date = |field: &str, text: &str| super::date(path, field, text);
    let first_seen = date("error.first_seen", &canon.error.first_seen)?;
    let last_confirmed = match &canon.error.last_confirmed {
        Some(text) => Some(date("error.last_confirmed", text)?),
        None => None,
    };
    let resolvable = match &canon.verdict.resolvable {
        None => "true".to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(ImportError::invalid(
                path,
                format!("verdict.resolvable `{other}` is not \"true\", \"partial\" or \"false\""),
            ));
        }
    };

    let mut chosen = choose_pattern(&canon.error.regex, &canon.error.signature, true)
        .map_err(|m| ImportError::invalid(path, m))?;
    for (kind, message) in std::mem::take(&mut chosen.notes) {
        notes.add(kind, message);
    }

    let os = canon
        .environment
        .os
        .as_deref()
        .map(str::trim)
        .filter(|os| !os.is_empty());
    let versions = canon
        .environment
        .runtime
        .iter()
        .map(|rt| VersionRow {
            product: rt.name.clone(),
            version: rt.version_range.clone(),
            status: "active".to_string(),
            introduced: String::new(),
            deprecated: String::new(),
            notes: os.map(|os| format!("os: {os}")).unwrap_or_default(),
            requires: requirement(&rt.name, &rt.version_range),
        })
        .collect();

    let fixes: Vec<Fix> = canon
        .workarounds
        .iter()
        .enumerate()
        .map(|(i, w)| super::imported_fix(i, &w.action, &w.how, w.success_rate, &w.condition))
        .collect();
    let dead_ends: Vec<DeadEnd> = canon
        .dead_ends
        .iter()
        .enumerate()
        .map(|(i, d)| {
            super::imported_dead_end(i, &d.action, &d.why_fails, d.fail_rate, &d.condition)
        })
        .collect();
    let sources: BTreeSet<String> = canon
        .dead_ends
        .iter()
        .flat_map(|d| &d.sources)
        .chain(canon.workarounds.iter().flat_map(|w| &w.sources))
        .filter(|s| is_absolute_http_url(s))
        .cloned()
        .collect();

    let residue = residue(&canon, &domain, chosen.changed);
    let url = if is_absolute_http_url(&canon.url) {
        canon.url.clone()
    } else {
        String::new()
    };
    let meta = EntryMeta {
        id: mapped.id.clone(),
        title: super::title_from(&canon.error.signature),
        signature: canon.error.signature.clone(),
        domain,
        category: canon.error.category.clone(),
        tags: os.map(|os| vec![os.to_string()]).unwrap_or_default(),
        root_cause: canon.verdict.summary.clone(),
        root_cause_type: "generic".to_string(),
        resolvable,
        fix_rate: canon.verdict.fix_success_rate,
        confidence: canon.verdict.confidence,
        evidence_count: canon.metadata.evidence_count,
        first_seen,
        last_confirmed,
        patterns: chosen.patterns(),
        versions,
        docs: Vec::new(),
        fixes,
        dead_ends,
        related: Related::default(),
        provenance: Provenance {
            ai_generated: canon.metadata.generated_by != "manual",
            reviewed: false,
            sources: sources.into_iter().collect(),
            imported_from: Some(ImportedFrom {
                source: "deadends".to_string(),
                source_id: canon.id.clone(),
                url: url.clone(),
                license: LICENSE.to_string(),
                review_status: canon.metadata.review_status.clone(),
                extra: String::new(),
            }),
        },
        examples: vec![Example {
            log: canon.error.signature.clone(),
            source: url.clone(),
            note: "the canon's signature".to_string(),
        }],
        counter_examples: Vec::new(),
    };
    let body = format!(
        "Imported from the deadends.dev canon `{}`{}.\n\nData: deadends.dev, CC BY 4.0, \
         by YuJin Hong and the deadends.dev contributors.\n",
        canon.id,
        if url.is_empty() {
            String::new()
        } else {
            format!(" ({url})")
        },
    );
    Ok(Converted {
        source: path.to_path_buf(),
        meta,
        body,
        translations: BTreeMap::new(),
        notes: notes.into_vec(),
        residue: Value::Object(residue),
        pending: vec![
            (Relation::LeadsTo, canon.transition_graph.leads_to),
            (Relation::PrecededBy, canon.transition_graph.preceded_by),
            (
                Relation::ConfusedWith,
                canon.transition_graph.frequently_confused_with,
            ),
        ],
    })
}

/// Item id of the `i`-th (0-based) fix.
pub fn fix_id(i: usize) -> String {
    format!("fix-{}", i + 1)
}

/// Item id of the `i`-th (0-based) dead end.
pub fn dead_end_id(i: usize) -> String {
    format!("dead-end-{}", i + 1)
}

/// A relation list of the transition graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Relation {
    LeadsTo,
    PrecededBy,
    ConfusedWith,
}

impl Relation {
    fn key(self) -> &'static str {
        match self {
            Relation::LeadsTo => "leads_to",
            Relation::PrecededBy => "preceded_by",
            Relation::ConfusedWith => "frequently_confused_with",
        }
    }
}

/// Moves transition-graph items whose target is in `known` into `related`; every item
/// not carried over completely (unknown target, probability, condition...) goes to
/// the residue verbatim.
fn resolve_relations(entry: &mut Converted, known: &HashSet<String>) {
    let mut left: JsonMap<String, Value> = JsonMap::new();
    for (relation, items) in std::mem::take(&mut entry.pending) {
        let mut rest = Vec::new();
        for item in items {
            let target = item
                .get("error_id")
                .and_then(Value::as_str)
                .and_then(|id| ids::map_id(id).ok())
                .map(|m| m.id)
                .filter(|id| known.contains(id));
            let keys = item.as_object().map_or(0, |o| o.len());
            let related = &mut entry.meta.related;
            let complete = match (relation, target) {
                (_, None) => false,
                (Relation::ConfusedWith, Some(id)) => {
                    let distinction = item
                        .get("distinction")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .trim();
                    if distinction.is_empty() || related.confused_with.iter().any(|c| c.id == id) {
                        false
                    } else {
                        related.confused_with.push(ConfusedWith {
                            id,
                            distinction: distinction.to_string(),
                        });
                        keys == 2
                    }
                }
                (_, Some(id)) => {
                    let list = if relation == Relation::LeadsTo {
                        &mut related.leads_to
                    } else {
                        &mut related.preceded_by
                    };
                    if !list.contains(&id) {
                        list.push(id);
                    }
                    keys == 1
                }
            };
            if !complete {
                rest.push(item);
            }
        }
        if !rest.is_empty() {
            left.insert(relation.key().to_string(), Value::Array(rest));
        }
    }
    if !left.is_empty() {
        let graph = entry.residue.as_object_mut().map(|r| {
            r.entry("transition_graph")
                .or_insert_with(|| Value::Object(JsonMap::new()))
        });
        if let Some(Value::Object(graph)) = graph {
            graph.extend(left);
        }
    }
}

/// What the entry has no home for, as a JSON object (empty parts left out).
fn residue(canon: &Canon, domain: &str, regex_changed: bool) -> JsonMap<String, Value> {
    let mut out = to_json(&canon.other);
    if !canon.url.is_empty() && !is_absolute_http_url(&canon.url) {
        out.insert("url".into(), canon.url.clone().into());
    }
    let mut put = |key: &str, map: JsonMap<String, Value>| {
        if !map.is_empty() {
            out.insert(key.to_string(), Value::Object(map));
        }
    };

    let mut error = to_json(&canon.error.other);
    if regex_changed {
        error.insert("regex".into(), canon.error.regex.clone().into());
    }
    if canon.error.domain != domain {
        error.insert("domain".into(), canon.error.domain.clone().into());
    }
    put("error", error);

    let mut environment = to_json(&canon.environment.other);
    if let Some(rt) = &canon.environment.runtime
        && !rt.other.is_empty()
    {
        environment.insert("runtime".into(), Value::Object(to_json(&rt.other)));
    }
    if let Some(os) = &canon.environment.os
        && os.trim() != os
    {
        environment.insert("os".into(), os.clone().into());
    }
    put("environment", environment);

    put("verdict", to_json(&canon.verdict.other));

    let items = |list: Vec<(String, &[String], &Other)>| {
        let mut map = JsonMap::new();
        for (id, sources, other) in list {
            let mut item = to_json(other);
            if !sources.is_empty() {
                item.insert("sources".into(), sources.to_vec().into());
            }
            if !item.is_empty() {
                map.insert(id, Value::Object(item));
            }
        }
        map
    };
    put(
        "dead_ends",
        items(
            canon
                .dead_ends
                .iter()
                .enumerate()
                .map(|(i, d)| (dead_end_id(i), d.sources.as_slice(), &d.other))
                .collect(),
        ),
    );
    put(
        "workarounds",
        items(
            canon
                .workarounds
                .iter()
                .enumerate()
                .map(|(i, w)| (fix_id(i), w.sources.as_slice(), &w.other))
                .collect(),
        ),
    );
    put("transition_graph", to_json(&canon.transition_graph.other));

    let mut metadata = to_json(&canon.metadata.other);
    if !canon.metadata.generated_by.is_empty() {
        metadata.insert(
            "generated_by".into(),
            canon.metadata.generated_by.clone().into(),
        );
    }
    put("metadata", metadata);
    out
}

fn to_json(other: &Other) -> JsonMap<String, Value> {
    other.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// A machine-readable version condition from a deadends version range such as
/// `>=18,<20` (`node >=18 <20`); `None` when the range is not of that form.
fn requirement(tool: &str, range: &str) -> Option<String> {
    if tool.is_empty() || tool.contains(char::is_whitespace) {
        return None;
    }
    let bounds: Vec<String> = range
        .split(',')
        .map(|part| {
            let part = part.trim();
            part.strip_prefix("==")
                .map_or_else(|| part.to_string(), |v| format!("={v}"))
        })
        .collect();
    let text = format!("{tool} {}", bounds.join(" "));
    let starts_with_op = bounds
        .iter()
        .all(|b| b.starts_with(['<', '>', '=']) && b.len() > 1);
    (starts_with_op && Requirement::parse(&text).is_ok()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_ranges_become_requirements() {
        assert_eq!(
            requirement("node", ">=18,<20").as_deref(),
            Some("node >=18 <20")
        );
        assert_eq!(
            requirement("python", ">=3.11, <3.13").as_deref(),
            Some("python >=3.11 <3.13")
        );
        assert_eq!(requirement("ros2", ">=humble,<rolling"), None);
        assert_eq!(requirement("http", "HTTP/1.1+"), None);
        assert_eq!(requirement("x", "any"), None);
        assert_eq!(requirement("x", ">=any"), None);
        assert_eq!(requirement("github actions", ">=1"), None);
    }
}
