//! Splitting an entry file into TOML front matter and Markdown body, and typing the
//! front matter with serde. Parse errors carry the line of the offending key.

use serde::de::DeserializeOwned;

/// An entry file split at its `+++` fences.
#[derive(Debug)]
pub struct Split<'a> {
    /// The TOML between the fences.
    pub front: &'a str,
    /// 1-based line number of the first front-matter line in the file.
    pub front_line: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
}

/// 1-based line number of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..offset.min(text.len())]).count()
}

/// Splits a file's text; the error is (line, message).
pub fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "+++" {
        return Err((
            1,
            "missing front matter: the file must start with a `+++` line".to_string(),
        ));
    }
    let front_start = first.len();
    let mut offset = front_start;
    for line in lines {
        if line.trim_end() == "+++" {
            return Ok(Split {
                front: &text[front_start..offset],
                front_line: 2,
                body: text[offset + line.len()..].trim_start_matches(['\n', '\r']),
            });
        }
        offset += line.len();
    }
    Err((
        1,
        "front matter opened on line 1 is never closed: add a `+++` line after it".to_string(),
    ))
}

/// Deserializes front matter; the error is (line in the file, message).
pub fn front_matter<T: DeserializeOwned>(split: &Split<'_>) -> Result<T, (usize, String)> {
    toml::from_str(split.front).map_err(|err| {
        let line = err
            .span()
            .map_or(0, |span| line_of(split.front, span.start) - 1);
        (split.front_line + line, err.message().trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let s = split("+++\na = 1\n+++\n\nbody\n").unwrap();
        assert_eq!(s.front, "a = 1\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.front_line, 2);
    }

    #[test]
    fn reports_unclosed_and_missing_fences() {
        assert_eq!(split("a = 1\n").unwrap_err().0, 1);
        assert!(
            split("+++\na = 1\n")
                .unwrap_err()
                .1
                .contains("never closed")
        );
    }

    #[test]
    fn counts_lines() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 4), 3);
    }
}
