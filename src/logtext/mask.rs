//! Variable parts of a line (URLs, ARNs, UUIDs, hashes, paths, versions, numbers,
//! quoted names) replaced by placeholders, so lines that differ only in them compare
//! equal and search well.

use regex::{Captures, Regex};
use std::sync::LazyLock;

static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<url>\b[a-z][a-z0-9+.-]*://[^\s'`)\]]+)",
        r"|(?P<arn>\barn:aws[\w-]*:[\w-]*:[\w-]*:\d*:[^\s'`]+)",
        r"|(?P<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)",
        r"|(?P<quoted>'[^'\n]{1,200}'|`[^`\n]{1,200}`|\x22[^\x22\n]{1,200}\x22)",
        r"|(?P<path>(?:[A-Za-z]:\\|~?/)(?:[\w.@+-]+[/\\])+[\w.@+-]*)",
        r"|(?P<hex>\b(?:0x)?[0-9a-f]{7,}\b)",
        r"|(?P<version>\bv?\d+(?:\.\d+)+(?:[-+][\w.]+)?\b)",
        r"|(?P<num>\b\d+\b)",
    ))
    .expect("mask regex compiles")
});

/// `text` with variable parts replaced by `<url>`, `<arn>`, `<uuid>`, `<q>`, `<path>`,
/// `<hex>`, `<ver>`, `<n>`.
pub fn mask(text: &str) -> String {
    VARIABLE
        .replace_all(text, |caps: &Captures<'_>| {
            let name = [
                ("url", "<url>"),
                ("arn", "<arn>"),
                ("uuid", "<uuid>"),
                ("quoted", "<q>"),
                ("path", "<path>"),
                ("hex", "<hex>"),
                ("version", "<ver>"),
            ]
            .iter()
            .find(|(group, _)| caps.name(group).is_some())
            .map_or("<n>", |(_, placeholder)| placeholder);
            name.to_string()
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_variables() {
        assert_eq!(
            mask("User: arn:aws:sts::123456789012:assumed-role/x is not authorized"),
            "User: <arn> is not authorized"
        );
        assert_eq!(
            mask("failed after 3 attempts at /home/runner/work/a/b.js"),
            "failed after <n> attempts at <path>"
        );
        assert_eq!(mask("node v18.19.0 and 'my-package'"), "node <ver> and <q>");
        assert_eq!(mask("see https://x.io/a?b=1 now"), "see <url> now");
        assert_eq!(mask("commit 4f2a9c1e"), "commit <hex>");
    }
}
