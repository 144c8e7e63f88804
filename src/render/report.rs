//! A matcher [`Report`] joined with the catalog's content for each diagnosis, in the
//! reader's language: the JSON object of the CLI and the API, and its text and Markdown
//! renderings for terminals.

use super::localize::{Localized, localize};
use crate::catalog::{Catalog, Requirement};
use crate::matcher::{Diagnosis, Report};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The report with each diagnosis carrying what to do about it: the JSON object of
/// DESIGN's contract (the fields of [`Report`], in the same order, plus `lang`).
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    #[serde(flatten)]
    pub report: Report<DiagnosisView>,
    pub lang: String,
}

/// A diagnosis plus the entry's root cause, fixes, dead ends and docs.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosisView {
    #[serde(flatten)]
    pub diagnosis: Diagnosis,
    pub root_cause: String,
    pub root_cause_type: String,
    pub fix_rate: f64,
    pub fixes: Vec<FixView>,
    pub dead_ends: Vec<DeadEndView>,
    pub docs: Vec<String>,
    /// Version rows, with whether each applies to the versions the log states.
    pub versions: Vec<VersionView>,
    /// The entry file, relative to its catalog.
    pub path: String,
    /// Set by the HTTP server: the HTML page and the JSON of the entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FixView {
    pub id: String,
    /// With `{capture}` placeholders filled from the log.
    pub action: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub how: String,
    pub success_rate: f64,
    pub rate_source: crate::catalog::RateSource,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub condition: String,
    /// Whether the fix's version condition holds for the log's environment; absent
    /// when the fix has none or the log does not state the version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applies: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeadEndView {
    pub id: String,
    pub action: String,
    pub why: String,
    pub fail_rate: f64,
    pub rate_source: crate::catalog::RateSource,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    pub product: String,
    pub version: String,
    pub status: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub notes: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applies: Option<bool>,
}

/// Joins `report` with the catalog's content in `lang`.
pub fn view(report: Report, catalog: &Catalog, lang: &str) -> ReportView {
    let diagnoses = report
        .diagnoses
        .iter()
        .filter_map(|d| {
            let entry = catalog.get(&d.id)?;
            Some(diagnosis_view(
                d,
                &localize(entry, lang),
                &report.environment,
                &entry.path,
            ))
        })
        .collect();
    ReportView {
        report: report.with_diagnoses(diagnoses),
        lang: lang.to_string(),
    }
}

fn diagnosis_view(
    d: &Diagnosis,
    entry: &Localized,
    environment: &BTreeMap<String, String>,
    path: &std::path::Path,
) -> DiagnosisView {
    let mut title_d = d.clone();
    title_d.title = entry.title.clone();
    let applies = |requires: &Option<String>| -> Option<bool> {
        let req = Requirement::parse(requires.as_deref()?).ok()?;
        req.matches(environment.get(&req.tool)?)
    };
    DiagnosisView {
        diagnosis: title_d,
        root_cause: fill(&entry.root_cause, &d.captures),
        root_cause_type: entry.root_cause_type.clone(),
        fix_rate: entry.fix_rate,
        fixes: entry
            .fixes
            .iter()
            .map(|f| FixView {
                id: f.id.clone(),
                action: fill(&f.action, &d.captures),
                how: fill(&f.how, &d.captures),
                success_rate: f.success_rate,
                rate_source: f.rate_source,
                condition: f.condition.clone(),
                applies: applies(&f.requires),
            })
            .collect(),
        dead_ends: entry
            .dead_ends
            .iter()
            .map(|x| DeadEndView {
                id: x.id.clone(),
                action: x.action.clone(),
                why: x.why.clone(),
                fail_rate: x.fail_rate,
                rate_source: x.rate_source,
            })
            .collect(),
        docs: entry.docs.iter().map(|x| x.url.clone()).collect(),
        versions: entry
            .versions
            .iter()
            .map(|v| VersionView {
                product: v.product.clone(),
                version: v.version.clone(),
                status: v.status.clone(),
                notes: v.notes.clone(),
                applies: applies(&v.requires),
            })
            .collect(),
        path: path.to_string_lossy().into_owned(),
        url: None,
        api_url: None,
    }
}

/// Replaces `{name}` with captured values; unknown placeholders stay as written.
pub fn fill(text: &str, captures: &BTreeMap<String, String>) -> String {
    if captures.is_empty() || !text.contains('{') {
        return text.to_string();
    }
    let mut out = text.to_string();
    for (name, value) in captures {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

fn percent(rate: f64) -> String {
    format!("{:.0}%", rate * 100.0)
}

/// Plain text for a terminal.
pub fn text(v: &ReportView) -> String {
    let r = &v.report;
    let mut out = String::new();
    let _ = write!(
        out,
        "{}: {} lines, {}",
        r.file,
        r.lines,
        serde_json::to_value(r.ci)
            .unwrap_or_default()
            .as_str()
            .unwrap_or("")
    );
    if let Some(step) = &r.failing_step {
        let _ = write!(out, ", failing step \"{step}\"");
    }
    out.push('\n');
    for w in &r.warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
    if r.diagnoses.is_empty() && r.error_lines.is_empty() {
        out.push_str("\nNo known error recognised, and no line looks like an error.\n");
    } else if r.diagnoses.is_empty() {
        out.push_str("\nNo known error recognised. Most error-like lines:\n");
        for l in r.error_lines.iter().take(5) {
            let _ = writeln!(out, "  {:>6} | {}", l.line, l.text);
        }
    }
    for (i, d) in r.diagnoses.iter().enumerate() {
        let dg = &d.diagnosis;
        let _ = writeln!(out, "\n{}. {}  [{}]", i + 1, dg.title, dg.id);
        let _ = writeln!(
            out,
            "   confidence {:.2} ({:?}): {}",
            dg.confidence, dg.matched_by, dg.why
        );
        out.push_str("   evidence:\n");
        for e in &dg.evidence {
            let step = e
                .step
                .as_deref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default();
            let _ = writeln!(out, "   {:>6} | {}{}", e.line, e.text, step);
        }
        for (k, val) in &dg.captures {
            let _ = writeln!(out, "   {k} = {val}");
        }
        let _ = writeln!(out, "   root cause: {}", d.root_cause);
        out.push_str("   fixes:\n");
        for f in &d.fixes {
            let note = match f.applies {
                Some(false) => " (does not apply to the versions in this log)",
                Some(true) => " (applies to the versions in this log)",
                None => "",
            };
            let _ = writeln!(
                out,
                "     [{:>4}] {}{}",
                percent(f.success_rate),
                f.action,
                note
            );
        }
        if !d.dead_ends.is_empty() {
            out.push_str("   dead ends (don't):\n");
            for x in &d.dead_ends {
                let _ = writeln!(
                    out,
                    "     [{:>4} fail] {} - {}",
                    percent(x.fail_rate),
                    x.action,
                    x.why
                );
            }
        }
        let _ = writeln!(out, "   more: {}", d.path);
    }
    out
}

/// Markdown for issue comments and chat.
pub fn markdown(v: &ReportView) -> String {
    let r = &v.report;
    let mut out = format!("## logdoc: {}\n\n", r.file);
    for w in &r.warnings {
        let _ = writeln!(out, "> **Warning:** {w}\n");
    }
    if r.diagnoses.is_empty() && r.error_lines.is_empty() {
        out.push_str("No known error recognised, and no line looks like an error.\n");
    } else if r.diagnoses.is_empty() {
        out.push_str("No known error recognised. Most error-like lines:\n\n```text\n");
        for l in r.error_lines.iter().take(5) {
            let _ = writeln!(out, "{:>6} | {}", l.line, l.text);
        }
        out.push_str("```\n");
    }
    for d in &r.diagnoses {
        let dg = &d.diagnosis;
        let _ = writeln!(out, "### {} (`{}`)\n", dg.title, dg.id);
        let _ = writeln!(
            out,
            "Confidence **{:.2}**: {}\n\n```text",
            dg.confidence, dg.why
        );
        for e in &dg.evidence {
            let _ = writeln!(out, "{:>6} | {}", e.line, e.text);
        }
        let _ = writeln!(
            out,
            "```\n\n**Root cause.** {}\n\n**Fixes**\n",
            d.root_cause
        );
        for f in &d.fixes {
            let _ = writeln!(out, "- **{}** {}", percent(f.success_rate), f.action);
        }
        if !d.dead_ends.is_empty() {
            out.push_str("\n**Dead ends**\n\n");
            for x in &d.dead_ends {
                let _ = writeln!(
                    out,
                    "- ~~{}~~ ({} fail): {}",
                    x.action,
                    percent(x.fail_rate),
                    x.why
                );
            }
        }
        out.push('\n');
    }
    out
}
