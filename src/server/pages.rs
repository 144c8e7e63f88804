//! An entry as a page: the HTML page (`/{lang}/errors/{id}/`, askama templates
//! `base.html` + `entry.html`) and its Markdown twin (`/errors/{id}.md`), both made
//! from one [`PageData`] so they show the same content. Markdown from the catalog
//! (bodies, fixes' `how`) is rendered once per entry and language with pulldown-cmark
//! and sanitized with ammonia before the template marks it `|safe`.

use super::state::App;
use super::ui::{Ui, ui};
use crate::catalog::{Entry, LANGS, RateSource, VersionRow};
use crate::render::Localized;
use askama::Template;
use std::collections::HashMap;
use std::fmt::Write;

/// An entry's Markdown in one language, as sanitized HTML.
pub struct Rendered {
    pub body_html: String,
    /// Fix `how` by fix id.
    pub how_html: HashMap<String, String>,
}

impl Rendered {
    /// Renders the Markdown of `e`.
    pub fn new(e: &Localized) -> Rendered {
        Rendered {
            body_html: markdown_to_html(&e.body),
            how_html: e
                .fixes
                .iter()
                .filter(|f| !f.how.is_empty())
                .map(|f| (f.id.clone(), markdown_to_html(&f.how)))
                .collect(),
        }
    }
}

/// Markdown to HTML, sanitized (scripts, event handlers, unknown tags removed).
pub fn markdown_to_html(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    ammonia::clean(&raw)
}

/// A link to another entry's page.
pub struct Link {
    pub id: String,
    pub title: String,
    pub url: String,
}

/// A language the entry is available in.
pub struct LangLink {
    pub code: &'static str,
    pub url: String,
    pub current: bool,
}

/// A fix as shown.
pub struct FixRow<'a> {
    pub action: &'a str,
    pub how: &'a str,
    pub how_html: &'a str,
    pub rate: String,
    pub source: &'static str,
    pub condition: &'a str,
}

/// A dead end as shown.
pub struct DeadEndRow<'a> {
    pub action: &'a str,
    pub why: &'a str,
    pub rate: String,
    pub source: &'static str,
    pub condition: &'a str,
}

/// A docs link as shown.
pub struct DocRow<'a> {
    pub url: &'a str,
    pub title: &'a str,
    pub lang: &'a str,
}

/// Everything an entry page shows, in one language.
pub struct PageData<'a> {
    pub ui: &'static Ui,
    pub e: &'a Localized,
    pub body_html: &'a str,
    pub fixes: Vec<FixRow<'a>>,
    pub dead_ends: Vec<DeadEndRow<'a>>,
    pub versions: &'a [VersionRow],
    pub docs: Vec<DocRow<'a>>,
    pub leads_to: Vec<Link>,
    pub preceded_by: Vec<Link>,
    pub confused_with: Vec<(Link, &'a str)>,
    pub languages: Vec<LangLink>,
    pub fix_rate: String,
    pub confidence: String,
    pub page_url: String,
    pub json_url: String,
    pub md_url: String,
    /// The signature shown is a translation (the original is shown too).
    pub translated_signature: bool,
}

/// Only `http` and `https` links reach a page (never `javascript:` and the like).
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn percent(rate: f64) -> String {
    format!("{:.0}%", rate * 100.0)
}

fn source_name(source: RateSource) -> &'static str {
    match source {
        RateSource::Curated => "curated",
        RateSource::Counted => "counted",
        RateSource::Imported => "imported",
    }
}

/// The title of `entry` in `lang` (English when it has no translated title).
fn title_in(entry: &Entry, lang: &str) -> String {
    entry
        .translations
        .get(lang)
        .and_then(|t| t.meta.title.clone())
        .unwrap_or_else(|| entry.meta.title.clone())
}

impl<'a> PageData<'a> {
    /// Gathers the page of `e` (the entry `entry` localized for a reader of `lang`)
    /// with its rendered Markdown. Interface strings and links are in `lang`; content
    /// the translation lacks is in English (listed in `fallback_fields`).
    pub fn new(
        app: &App,
        entry: &Entry,
        e: &'a Localized,
        r: &'a Rendered,
        lang: &'static str,
    ) -> PageData<'a> {
        let link = |id: &str| -> Option<Link> {
            let (_, other) = app.entry(id).ok()?;
            Some(Link {
                id: id.to_string(),
                title: title_in(other, lang),
                url: app.page_url(id, lang),
            })
        };
        PageData {
            ui: ui(lang),
            e,
            body_html: &r.body_html,
            fixes: e
                .fixes
                .iter()
                .map(|f| FixRow {
                    action: &f.action,
                    how: &f.how,
                    how_html: r.how_html.get(&f.id).map_or("", String::as_str),
                    rate: percent(f.success_rate),
                    source: source_name(f.rate_source),
                    condition: &f.condition,
                })
                .collect(),
            dead_ends: e
                .dead_ends
                .iter()
                .map(|d| DeadEndRow {
                    action: &d.action,
                    why: &d.why,
                    rate: percent(d.fail_rate),
                    source: source_name(d.rate_source),
                    condition: &d.condition,
                })
                .collect(),
            versions: &e.versions,
            docs: e
                .docs
                .iter()
                .filter(|d| is_web_url(&d.url))
                .map(|d| DocRow {
                    url: &d.url,
                    title: if d.title.is_empty() { &d.url } else { &d.title },
                    lang: &d.lang,
                })
                .collect(),
            leads_to: e
                .related
                .leads_to
                .iter()
                .filter_map(|id| link(id))
                .collect(),
            preceded_by: e
                .related
                .preceded_by
                .iter()
                .filter_map(|id| link(id))
                .collect(),
            confused_with: e
                .related
                .confused_with
                .iter()
                .filter_map(|c| Some((link(&c.id)?, c.distinction.as_str())))
                .collect(),
            languages: LANGS
                .iter()
                .filter(|l| **l == "en" || entry.translations.contains_key(**l))
                .map(|l| LangLink {
                    code: l,
                    url: app.page_url(&e.id, l),
                    current: *l == lang,
                })
                .collect(),
            fix_rate: percent(e.fix_rate),
            confidence: format!("{:.2}", e.confidence),
            page_url: app.page_url(&e.id, lang),
            json_url: app.api_url(&e.id, lang),
            md_url: app.md_url(&e.id, lang),
            translated_signature: e.signature != e.signature_original,
        }
    }

    /// The provenance sources that are web links.
    pub fn sources(&self) -> impl Iterator<Item = &str> {
        self.e
            .provenance
            .sources
            .iter()
            .map(String::as_str)
            .filter(|s| is_web_url(s))
    }

    /// Whether the entry has relations to show.
    pub fn has_related(&self) -> bool {
        !(self.leads_to.is_empty() && self.preceded_by.is_empty() && self.confused_with.is_empty())
    }
}

/// The HTML page of an entry.
#[derive(Template)]
#[template(path = "entry.html")]
pub struct EntryHtml<'a> {
    pub p: &'a PageData<'a>,
}

/// A fenced code block that no backtick run inside `text` can close.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest.max(2) + 1);
    format!("{ticks}text\n{text}\n{ticks}\n")
}

/// A table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The Markdown of an entry page: the same sections as the HTML page.
pub fn entry_markdown(p: &PageData<'_>) -> String {
    let (u, e) = (p.ui, p.e);
    let mut out = String::with_capacity(8192);
    let _ = writeln!(out, "# {}\n", e.title);
    let _ = writeln!(
        out,
        "`{}` · {} / {} · {}: {}\n",
        e.id,
        e.domain,
        e.category,
        u.tags,
        e.tags.join(", ")
    );
    if !e.fallback_fields.is_empty() {
        let _ = writeln!(out, "> {}: {}\n", u.fallback, e.fallback_fields.join(", "));
    }
    let _ = writeln!(out, "**{}**\n\n{}", u.signature, fence(&e.signature));
    if p.translated_signature {
        let _ = writeln!(
            out,
            "**{}**\n\n{}",
            u.signature_original,
            fence(&e.signature_original)
        );
    }
    let _ = write!(
        out,
        "{}: **{}** · {}: {} · {}: {} · {}: {}",
        u.fix_rate,
        p.fix_rate,
        u.confidence,
        p.confidence,
        u.evidence_count,
        e.evidence_count,
        u.first_seen,
        e.first_seen
    );
    if let Some(last) = &e.last_confirmed {
        let _ = write!(out, " · {}: {last}", u.last_confirmed);
    }
    out.push_str("\n\n");
    let _ = writeln!(
        out,
        "## {}\n\n{} (`{}`)\n",
        u.root_cause, e.root_cause, e.root_cause_type
    );
    let _ = writeln!(out, "## {}\n", u.fixes);
    for (i, f) in p.fixes.iter().enumerate() {
        let _ = writeln!(
            out,
            "### {}. {} ({} {}, {})\n",
            i + 1,
            f.action,
            f.rate,
            u.success,
            f.source
        );
        if !f.condition.is_empty() {
            let _ = writeln!(out, "*{}:* {}\n", u.when, f.condition);
        }
        if !f.how.is_empty() {
            let _ = writeln!(out, "{}\n", f.how.trim_end());
        }
    }
    if !p.dead_ends.is_empty() {
        let _ = writeln!(out, "## {}\n", u.dead_ends);
        for d in &p.dead_ends {
            let _ = write!(
                out,
                "- ~~{}~~ ({} {}, {}): {}",
                d.action, d.rate, u.fail, d.source, d.why
            );
            if !d.condition.is_empty() {
                let _ = write!(out, " *{}:* {}", u.when, d.condition);
            }
            out.push('\n');
        }
        out.push('\n');
    }
    if !p.versions.is_empty() {
        let _ = writeln!(
            out,
            "## {}\n\n| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|",
            u.versions, u.product, u.version, u.status, u.introduced, u.deprecated, u.notes
        );
        for v in p.versions {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&v.product),
                cell(&v.version),
                cell(&v.status),
                cell(&v.introduced),
                cell(&v.deprecated),
                cell(&v.notes)
            );
        }
        out.push('\n');
    }
    if !p.docs.is_empty() {
        let _ = writeln!(out, "## {}\n", u.docs);
        for d in &p.docs {
            let _ = writeln!(out, "- [{}]({}) ({})", d.title, d.url, d.lang);
        }
        out.push('\n');
    }
    if p.has_related() {
        let _ = writeln!(out, "## {}\n", u.related);
        for (label, links) in [(u.leads_to, &p.leads_to), (u.preceded_by, &p.preceded_by)] {
            for l in links {
                let _ = writeln!(out, "- {label}: [{}]({}) (`{}`)", l.title, l.url, l.id);
            }
        }
        for (l, distinction) in &p.confused_with {
            let _ = writeln!(
                out,
                "- {}: [{}]({}) (`{}`): {distinction}",
                u.confused_with, l.title, l.url, l.id
            );
        }
        out.push('\n');
    }
    if !e.body.trim().is_empty() {
        let _ = writeln!(out, "## {}\n\n{}\n", u.details, e.body.trim());
    }
    let yes_no = |b: bool| if b { u.yes } else { u.no };
    let _ = writeln!(
        out,
        "## {}\n\n- {}: {}\n- {}: {}",
        u.provenance,
        u.ai_generated,
        yes_no(e.provenance.ai_generated),
        u.reviewed,
        yes_no(e.provenance.reviewed)
    );
    if let Some(from) = &e.provenance.imported_from {
        let _ = write!(
            out,
            "- {}: {} `{}`",
            u.imported_from, from.source, from.source_id
        );
        if !from.license.is_empty() {
            let _ = write!(out, " ({})", from.license);
        }
        out.push('\n');
    }
    for s in p.sources() {
        let _ = writeln!(out, "- {}: <{s}>", u.sources);
    }
    let _ = writeln!(
        out,
        "\n{}: {} · [JSON]({}) · [HTML]({})",
        u.languages,
        p.languages
            .iter()
            .map(|l| l.code)
            .collect::<Vec<_>>()
            .join(", "),
        p.json_url,
        p.page_url
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_markdown() {
        let html = markdown_to_html(
            "Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))\n\n```yaml\n${{ secrets.X }} </script>\n```",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("${{ secrets.X }} &lt;/script&gt;"), "{html}");
    }

    #[test]
    fn fences_outlast_backticks() {
        assert_eq!(fence("a ``` b"), "````text\na ``` b\n````\n");
        assert_eq!(fence("plain"), "```text\nplain\n```\n");
    }
}
