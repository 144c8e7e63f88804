//! Snippet HTML: the fragment HTML-escaped, highlights wrapped in `<b>`.
//!
//! tantivy's `Snippet::to_html` escapes only `&`, `<`, `>` and `"`; this escapes `'`
//! as well and merges the overlapping highlights that CJK bigrams produce.

use std::ops::Range;

/// Tag that opens a highlight in `snippet_html`.
pub const HIGHLIGHT_OPEN: &str = "<b>";
/// Tag that closes a highlight in `snippet_html`.
pub const HIGHLIGHT_CLOSE: &str = "</b>";

/// HTML for `fragment` with the byte ranges `highlighted` wrapped in `<b>...</b>`.
/// Ranges out of bounds or off char boundaries are ignored.
pub fn to_html(fragment: &str, highlighted: &[Range<usize>]) -> String {
    let mut ranges: Vec<Range<usize>> = highlighted
        .iter()
        .filter(|r| {
            r.start < r.end
                && r.end <= fragment.len()
                && fragment.is_char_boundary(r.start)
                && fragment.is_char_boundary(r.end)
        })
        .cloned()
        .collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut html = String::with_capacity(fragment.len() + 16);
    let mut at = 0;
    for r in merged {
        escape_into(&fragment[at..r.start], &mut html);
        html.push_str(HIGHLIGHT_OPEN);
        escape_into(&fragment[r.clone()], &mut html);
        html.push_str(HIGHLIGHT_CLOSE);
        at = r.end;
    }
    escape_into(&fragment[at..], &mut html);
    html
}

/// Appends `text` HTML-escaped (`& < > " '`).
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Plain text of snippet HTML made by [`to_html`]: tags dropped, entities decoded.
pub fn html_to_text(html: &str) -> String {
    let without_tags = html
        .replace(HIGHLIGHT_OPEN, "")
        .replace(HIGHLIGHT_CLOSE, "");
    // `&amp;` last, so `&amp;lt;` decodes to `&lt;`, not `<`.
    without_tags
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The first `max` bytes of `text` (on a char boundary, at a word end when one is
/// near), with an ellipsis when cut.
pub fn lead(text: &str, max: usize) -> String {
    let text = text.trim();
    let cut = crate::logtext::truncate(text, max);
    if cut.len() == text.len() {
        return cut.to_string();
    }
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut,
    };
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_but_highlights() {
        let html = to_html("a <script>'x' & y", &[3..9, 3..9]);
        assert_eq!(html, "a &lt;<b>script</b>&gt;&#39;x&#39; &amp; y");
        assert_eq!(html_to_text(&html), "a <script>'x' & y");
    }

    #[test]
    fn merges_overlapping_bigram_highlights() {
        // 令牌 (0..6) and 牌权 (3..9) overlap.
        assert_eq!(to_html("令牌权限", &[0..6, 3..9]), "<b>令牌权</b>限");
    }

    #[test]
    fn ignores_bad_ranges() {
        assert_eq!(to_html("令牌", &[1..2, 0..99, 3..3]), "令牌");
    }

    #[test]
    fn html_to_text_does_not_double_decode() {
        assert_eq!(html_to_text(&to_html("&lt;", &[])), "&lt;");
    }

    #[test]
    fn lead_cuts_at_a_word() {
        assert_eq!(lead("short", 10), "short");
        assert_eq!(lead("one two three four", 12), "one two…");
        assert_eq!(lead("令牌权限", 7), "令牌…");
    }
}
