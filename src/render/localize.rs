//! An entry's text in one language: translation overrides by item id, English per
//! field where the translation lacks it, and a list of the fields that fell back.

use crate::catalog::{DeadEnd, DocLink, Entry, Fix, LANGS, VersionRow};
use serde::Serialize;

/// The language to use: `requested` when the catalog speaks it, else English.
pub fn language(requested: Option<&str>) -> &'static str {
    requested
        .and_then(|r| {
            let primary = r.split(['-', '_']).next().unwrap_or(r).to_ascii_lowercase();
            LANGS.iter().copied().find(|l| *l == primary)
        })
        .unwrap_or("en")
}

/// An entry's content in one language.
#[derive(Debug, Clone, Serialize)]
pub struct Localized {
    pub id: String,
    pub lang: String,
    pub title: String,
    pub signature: String,
    /// The signature as the tool prints it (always the entry's own signature).
    pub signature_original: String,
    pub domain: String,
    pub category: String,
    pub tags: Vec<String>,
    pub root_cause: String,
    pub root_cause_type: String,
    pub resolvable: String,
    pub fix_rate: f64,
    pub confidence: f64,
    pub evidence_count: u32,
    pub first_seen: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_confirmed: Option<String>,
    pub versions: Vec<VersionRow>,
    /// Docs in this language first, then English ones.
    pub docs: Vec<DocLink>,
    pub fixes: Vec<Fix>,
    pub dead_ends: Vec<DeadEnd>,
    pub related: crate::catalog::Related,
    pub provenance: crate::catalog::Provenance,
    /// Markdown body.
    pub body: String,
    /// Languages this entry is available in.
    pub languages: Vec<String>,
    /// Fields shown in English because the translation lacks them.
    pub fallback_fields: Vec<String>,
}

/// Localizes `entry` into `lang` (English when `lang` has no translation).
pub fn localize(entry: &Entry, lang: &str) -> Localized {
    let meta = &entry.meta;
    let t = entry
        .translations
        .get(lang)
        .map(|t| (&t.meta, t.body.as_str()));
    let mut fallback = Vec::new();
    let mut pick = |field: &str, translated: Option<&String>, english: &str| -> String {
        match translated {
            Some(text) if !text.trim().is_empty() => text.clone(),
            _ => {
                if lang != "en" {
                    fallback.push(field.to_string());
                }
                english.to_string()
            }
        }
    };
    let title = pick("title", t.and_then(|t| t.0.title.as_ref()), &meta.title);
    let signature = match t.and_then(|t| t.0.signature.as_ref()) {
        Some(s) => s.clone(),
        None => meta.signature.clone(),
    };
    let root_cause = pick(
        "root_cause",
        t.and_then(|t| t.0.root_cause.as_ref()),
        &meta.root_cause,
    );
    let body_owned = t.map(|t| t.1.to_string()).filter(|b| !b.trim().is_empty());
    let body = pick("body", body_owned.as_ref(), &entry.body);
    let fixes = meta
        .fixes
        .iter()
        .map(|f| {
            let text = t.and_then(|t| t.0.fixes.get(&f.id));
            let key = format!("fixes.{}", f.id);
            Fix {
                action: pick(
                    &format!("{key}.action"),
                    text.and_then(|x| x.action.as_ref()),
                    &f.action,
                ),
                how: if f.how.is_empty() {
                    String::new()
                } else {
                    pick(
                        &format!("{key}.how"),
                        text.and_then(|x| x.how.as_ref()),
                        &f.how,
                    )
                },
                condition: if f.condition.is_empty() {
                    String::new()
                } else {
                    pick(
                        &format!("{key}.condition"),
                        text.and_then(|x| x.condition.as_ref()),
                        &f.condition,
                    )
                },
                ..f.clone()
            }
        })
        .collect();
    let dead_ends = meta
        .dead_ends
        .iter()
        .map(|d| {
            let text = t.and_then(|t| t.0.dead_ends.get(&d.id));
            let key = format!("dead_ends.{}", d.id);
            DeadEnd {
                action: pick(
                    &format!("{key}.action"),
                    text.and_then(|x| x.action.as_ref()),
                    &d.action,
                ),
                why: pick(
                    &format!("{key}.why"),
                    text.and_then(|x| x.why.as_ref()),
                    &d.why,
                ),
                condition: if d.condition.is_empty() {
                    String::new()
                } else {
                    pick(
                        &format!("{key}.condition"),
                        text.and_then(|x| x.condition.as_ref()),
                        &d.condition,
                    )
                },
                ..d.clone()
            }
        })
        .collect();
    let mut related = meta.related.clone();
    for c in &mut related.confused_with {
        let translated = t.and_then(|t| t.0.confused_with.get(&c.id));
        c.distinction = pick(
            &format!("confused_with.{}", c.id),
            translated,
            &c.distinction,
        );
    }
    let versions = meta
        .versions
        .iter()
        .enumerate()
        .map(|(i, v)| VersionRow {
            notes: if v.notes.is_empty() {
                v.notes.clone()
            } else {
                pick(
                    &format!("versions.{i}.notes"),
                    t.and_then(|t| t.0.version_notes.get(&i.to_string())),
                    &v.notes,
                )
            },
            ..v.clone()
        })
        .collect();
    let mut docs: Vec<DocLink> = meta
        .docs
        .iter()
        .filter(|d| d.lang == lang)
        .cloned()
        .collect();
    docs.extend(
        meta.docs
            .iter()
            .filter(|d| d.lang == "en" && lang != "en")
            .cloned(),
    );
    if docs.is_empty() {
        docs = meta.docs.clone();
    }
    let languages = std::iter::once("en".to_string())
        .chain(entry.translations.keys().cloned())
        .collect();
    Localized {
        id: meta.id.clone(),
        lang: if t.is_some() {
            lang.to_string()
        } else {
            "en".to_string()
        },
        title,
        signature,
        signature_original: meta.signature.clone(),
        domain: meta.domain.clone(),
        category: meta.category.clone(),
        tags: meta.tags.clone(),
        root_cause,
        root_cause_type: meta.root_cause_type.clone(),
        resolvable: meta.resolvable.clone(),
        fix_rate: meta.fix_rate,
        confidence: meta.confidence,
        evidence_count: meta.evidence_count,
        first_seen: meta.first_seen.as_str().to_string(),
        last_confirmed: meta.last_confirmed.as_ref().map(|d| d.as_str().to_string()),
        versions,
        docs,
        fixes,
        dead_ends,
        related,
        provenance: meta.provenance.clone(),
        body,
        languages,
        fallback_fields: fallback,
    }
}
