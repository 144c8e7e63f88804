//! The text of one indexed document: an entry in one language, with every field a
//! translation leaves out taken from English, and Markdown reduced to plain text.

use crate::catalog::{Entry, Translation};
use pulldown_cmark::{Event, Parser, TagEnd};

/// Plain text of an entry in one language (index into [`crate::catalog::LANGS`]).
#[derive(Debug, Clone)]
pub struct DocText {
    pub id: String,
    pub lang: usize,
    pub title: String,
    pub signature: String,
    pub root_cause: String,
    /// Fixes and dead ends: action, how and condition; action, why and condition.
    pub fixes: String,
    /// The Markdown body as plain text.
    pub body: String,
}

impl DocText {
    /// The English document of an entry.
    pub fn english(entry: &Entry) -> DocText {
        DocText::build(entry, 0, None)
    }

    /// The document of a translation; fields it leaves out fall back to English.
    pub fn translated(entry: &Entry, lang: usize, translation: &Translation) -> DocText {
        DocText::build(entry, lang, Some(translation))
    }

    fn build(entry: &Entry, lang: usize, translation: Option<&Translation>) -> DocText {
        let meta = &entry.meta;
        let t = translation.map(|t| &t.meta);
        let pick = |over: Option<&Option<String>>, base: &str| -> String {
            match over {
                Some(Some(text)) if !text.trim().is_empty() => text.clone(),
                _ => base.to_string(),
            }
        };
        let mut fixes = String::new();
        for fix in &meta.fixes {
            let over = t.and_then(|t| t.fixes.get(&fix.id));
            push_line(&mut fixes, &pick(over.map(|o| &o.action), &fix.action));
            push_line(
                &mut fixes,
                &strip_markdown(&pick(over.map(|o| &o.how), &fix.how)),
            );
            push_line(
                &mut fixes,
                &pick(over.map(|o| &o.condition), &fix.condition),
            );
        }
        for dead in &meta.dead_ends {
            let over = t.and_then(|t| t.dead_ends.get(&dead.id));
            push_line(&mut fixes, &pick(over.map(|o| &o.action), &dead.action));
            push_line(&mut fixes, &pick(over.map(|o| &o.why), &dead.why));
            push_line(
                &mut fixes,
                &pick(over.map(|o| &o.condition), &dead.condition),
            );
        }
        let body = match translation {
            Some(tr) if !tr.body.trim().is_empty() => &tr.body,
            _ => &entry.body,
        };
        DocText {
            id: meta.id.clone(),
            lang,
            title: pick(t.map(|t| &t.title), &meta.title),
            signature: pick(t.map(|t| &t.signature), &meta.signature),
            root_cause: pick(t.map(|t| &t.root_cause), &meta.root_cause),
            fixes,
            body: strip_markdown(body),
        }
    }
}

fn push_line(out: &mut String, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(text);
}

/// The visible text of Markdown: prose, inline code and code blocks, one block per
/// line. Raw HTML is dropped (it is not shown as text either).
pub fn strip_markdown(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::InlineMath(text) | Event::DisplayMath(text) => out.push_str(&text),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead,
            ) if !out.ends_with('\n') => out.push('\n'),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_markdown_keeping_code() {
        let md = "## What happens\n\nThe *job* asks for a `id-token`.\n\n```yaml\npermissions:\n  id-token: write\n```\n\n- one\n- [two](https://x.example)\n\n<div>hidden</div>\n";
        let text = strip_markdown(md);
        assert_eq!(
            text,
            "What happens\nThe job asks for a id-token.\npermissions:\n  id-token: write\none\ntwo"
        );
    }

    #[test]
    fn strips_empty_markdown() {
        assert_eq!(strip_markdown(""), "");
    }
}
