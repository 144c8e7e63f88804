//! Variable parts of a line (URLs, ARNs, UUIDs, hashes, paths, versions, numbers,
//! quoted names) replaced by placeholders, so lines that differ only in them compare
//! equal and search well.

use regex::{Captures, Regex};
use std::sync::LazyLock;

/// Word characters, digits and word boundaries are ASCII only (`(?-u)`) except in path
/// segments (a home directory may be non-ASCII), and quoted names have no length
/// bound: Unicode classes everywhere and a `{1,200}` repetition made the automaton, and
/// so every capture search, many times larger (masking took a fifth of a diagnosis).
static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<url>(?-u:\b)[a-z][a-z0-9+.-]*://[^\s'`)\]]+)",
        r"|(?P<arn>(?-u:\b)arn:aws(?-u:[\w-])*:(?-u:[\w-])*:(?-u:[\w-])*:[0-9]*:[^\s'`]+)",
        r"|(?P<uuid>(?-u:\b)[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?-u:\b))",
        r"|(?P<quoted>'[^'\n]+'|`[^`\n]+`|\x22[^\x22\n]+\x22)",
        r"|(?P<path>(?:[A-Za-z]:\\|~?/)(?:[\w.@+-]+[/\\])+[\w.@+-]*)",
        r"|(?P<hex>(?-u:\b)(?:0x)?[0-9a-f]{7,}(?-u:\b))",
        r"|(?P<version>(?-u:\b)v?[0-9]+(?:\.[0-9]+)+(?:[-+](?-u:[\w.])+)?(?-u:\b))",
        r"|(?P<num>(?-u:\b)[0-9]+(?-u:\b))",
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

    #[test]
    fn masks_non_ascii_paths_and_long_quoted_names() {
        assert_eq!(
            mask("cannot open /home/자동화/프로젝트/a.rs here"),
            "cannot open <path> here"
        );
        let long = format!("missing '{}' entry", "x".repeat(300));
        assert_eq!(mask(&long), "missing <q> entry");
    }
}
