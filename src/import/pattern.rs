//! Source regexes (Python/PCRE flavoured) -> Rust `regex` syntax, and the checks an
//! imported pattern must pass: it compiles and it matches the entry's own signature.
//!
//! [`translate`] rewrites only what Rust refuses or reads differently:
//!
//! | source                          | becomes                                    |
//! |---------------------------------|--------------------------------------------|
//! | `\Z` (end of text)              | `\z`                                       |
//! | look-ahead / look-behind group  | dropped: it only narrows a match           |
//! | atomic group `(?>...)`          | `(?:...)`                                  |
//! | possessive `*+`, `++`, `?+`     | greedy `*`, `+`, `?`                       |
//! | comment group `(?#...)`         | dropped                                    |
//! | `{` that is no repetition       | `\{` (Python reads it literally)           |
//! | `{,n}`                          | `{0,n}`                                    |
//! | `[` inside a class              | `\[` (POSIX `[:alpha:]` is kept)           |
//! | `&&`, `--`, `~~` inside a class | escaped (Rust reads them as set operators) |
//! | `-` after a class escape `\w-`  | `\-`                                       |
//!
//! Backreferences, recursion and conditionals have no equivalent: those regexes fail.

use crate::catalog::validate;
use regex::Regex;

/// What [`translate`] made of a source regex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translation {
    /// Already Rust syntax with the same meaning.
    Verbatim,
    /// Rewritten; `changes` says what was done, one short phrase per kind of change.
    Translated { regex: String, changes: Vec<String> },
    /// No Rust equivalent; `reason` says why.
    Failed { reason: String },
}

/// Rewrites `source` into Rust `regex` syntax (see the module docs). It does not
/// compile the result: [`compile`] does.
pub fn translate(source: &str) -> Translation {
    let mut t = Translator {
        chars: source.chars().collect(),
        i: 0,
        out: String::with_capacity(source.len() + 8),
        changes: Vec::new(),
        quantifiable: false,
    };
    match t.run() {
        Err(reason) => Translation::Failed { reason },
        Ok(()) if t.changes.is_empty() => Translation::Verbatim,
        Ok(()) => Translation::Translated {
            regex: t.out,
            changes: t.changes,
        },
    }
}

/// Compiles a catalog regex as the matcher does; the error is one line.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    validate::compile(pattern).map_err(|err| one_line(&err.to_string()))
}

/// `(?i)` + `pattern`, unless the pattern already starts case-insensitive.
pub fn case_insensitive(pattern: &str) -> String {
    if pattern.starts_with("(?i)") {
        pattern.to_string()
    } else {
        format!("(?i){pattern}")
    }
}

/// Whether `regex` matches a line of `signature` (the matcher works on lines).
pub fn matches_signature(regex: &Regex, signature: &str) -> bool {
    signature.lines().any(|line| regex.is_match(line))
}

/// A case-insensitive pattern matching the first non-empty line of `signature`
/// literally; used when the source regex fails or misses its own signature.
pub fn from_signature(signature: &str) -> String {
    let line = signature
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    format!("(?i){}", regex::escape(line))
}

/// Collapses a multi-line error message (regex errors draw a caret diagram).
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Translator {
    chars: Vec<char>,
    i: usize,
    out: String,
    changes: Vec<String>,
    /// Whether the last item written can take a quantifier.
    quantifiable: bool,
}

impl Translator {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn starts_with(&self, text: &str) -> bool {
        text.chars()
            .enumerate()
            .all(|(k, c)| self.peek(k) == Some(c))
    }

    fn change(&mut self, what: &str) {
        if !self.changes.iter().any(|c| c == what) {
            self.changes.push(what.to_string());
        }
    }

    fn run(&mut self) -> Result<(), String> {
        while let Some(c) = self.peek(0) {
            match c {
                '\\' => {
                    self.escape(false)?;
                }
                '[' => self.class()?,
                '(' => self.group()?,
                ')' => {
                    self.out.push(')');
                    self.i += 1;
                    self.quantifiable = true;
                }
                '{' => self.brace(),
                '*' | '+' | '?' => {
                    self.out.push(c);
                    self.i += 1;
                    self.after_quantifier();
                }
                '^' | '|' => {
                    self.out.push(c);
                    self.i += 1;
                    self.quantifiable = false;
                }
                _ => {
                    self.out.push(c);
                    self.i += 1;
                    self.quantifiable = true;
                }
            }
        }
        Ok(())
    }

    /// An escape at `self.i`; returns whether it was a class escape such as `\w`.
    fn escape(&mut self, in_class: bool) -> Result<bool, String> {
        self.i += 1;
        let Some(c) = self.peek(0) else {
            self.out.push('\\');
            return Ok(false);
        };
        self.i += 1;
        self.quantifiable = true;
        match c {
            'Z' if !in_class => {
                self.out.push_str("\\z");
                self.change("`\\Z` -> `\\z`");
            }
            '1'..='9' if !in_class => {
                return Err(format!(
                    "backreference `\\{c}` has no equivalent in Rust regex"
                ));
            }
            'k' | 'g' if matches!(self.peek(0), Some('<' | '{' | '\'')) => {
                return Err(format!(
                    "backreference `\\{c}{}...` has no equivalent in Rust regex",
                    self.peek(0).unwrap_or(' ')
                ));
            }
            'p' | 'P' | 'x' | 'u' | 'U' if self.peek(0) == Some('{') => {
                self.out.push('\\');
                self.out.push(c);
                while let Some(d) = self.peek(0) {
                    self.out.push(d);
                    self.i += 1;
                    if d == '}' {
                        break;
                    }
                }
                return Ok(matches!(c, 'p' | 'P'));
            }
            _ => {
                self.out.push('\\');
                self.out.push(c);
                return Ok(matches!(c, 'w' | 'W' | 'd' | 'D' | 's' | 'S' | 'p' | 'P'));
            }
        }
        Ok(false)
    }

    /// A character class `[...]`, copied with Python's literal readings made explicit.
    fn class(&mut self) -> Result<(), String> {
        self.out.push('[');
        self.i += 1;
        if self.peek(0) == Some('^') {
            self.out.push('^');
            self.i += 1;
        }
        if self.peek(0) == Some(']') {
            // A leading `]` is literal in both flavours.
            self.out.push(']');
            self.i += 1;
        }
        let mut after_class_escape = false;
        while let Some(c) = self.peek(0) {
            match c {
                ']' => {
                    self.out.push(']');
                    self.i += 1;
                    break;
                }
                '\\' => {
                    after_class_escape = self.escape(true)?;
                    continue;
                }
                '[' => {
                    if let Some(len) = self.posix_class_len() {
                        let text: String = self.chars[self.i..self.i + len].iter().collect();
                        self.out.push_str(&text);
                        self.i += len;
                    } else {
                        self.out.push_str("\\[");
                        self.i += 1;
                        self.change("literal `[` in a class escaped");
                    }
                }
                '&' | '~' | '-' if self.peek(1) == Some(c) => {
                    self.out.push('\\');
                    self.out.push(c);
                    self.out.push('\\');
                    self.out.push(c);
                    self.i += 2;
                    self.change("set operator characters in a class escaped");
                }
                '-' if after_class_escape && self.peek(1) != Some(']') => {
                    self.out.push_str("\\-");
                    self.i += 1;
                    self.change("`-` after a class escape escaped");
                }
                _ => {
                    self.out.push(c);
                    self.i += 1;
                }
            }
            after_class_escape = false;
        }
        self.quantifiable = true;
        Ok(())
    }

    /// Length of a POSIX class such as `[:alpha:]` at `self.i`, if there is one.
    fn posix_class_len(&self) -> Option<usize> {
        if self.peek(1) != Some(':') {
            return None;
        }
        let mut k = 2;
        if self.peek(k) == Some('^') {
            k += 1;
        }
        let start = k;
        while self.peek(k).is_some_and(|c| c.is_ascii_lowercase()) {
            k += 1;
        }
        (k > start && self.peek(k) == Some(':') && self.peek(k + 1) == Some(']')).then_some(k + 2)
    }

    fn group(&mut self) -> Result<(), String> {
        for (open, what) in [
            ("(?<=", "look-behind"),
            ("(?<!", "negative look-behind"),
            ("(?=", "look-ahead"),
            ("(?!", "negative look-ahead"),
        ] {
            if self.starts_with(open) {
                self.skip_group();
                // A quantifier on a dropped look-around goes with it.
                while matches!(self.peek(0), Some('*' | '+' | '?')) {
                    self.i += 1;
                }
                self.change(&format!(
                    "{what} `{open}...)` dropped (the pattern now matches more)"
                ));
                return Ok(());
            }
        }
        if self.starts_with("(?#") {
            self.skip_group();
            self.change("comment group dropped");
            return Ok(());
        }
        if self.starts_with("(?>") {
            self.out.push_str("(?:");
            self.i += 3;
            self.quantifiable = false;
            self.change("atomic group `(?>...)` -> `(?:...)`");
            return Ok(());
        }
        if self.starts_with("(?P=") {
            return Err("backreference `(?P=name)` has no equivalent in Rust regex".to_string());
        }
        if self.starts_with("(?P>")
            || self.starts_with("(?&")
            || self.starts_with("(?R")
            || self.starts_with("(?(")
            || (self.peek(1) == Some('?')
                && self
                    .peek(2)
                    .is_some_and(|c| c.is_ascii_digit() || c == '+' || c == '-')
                && !self.flag_group())
        {
            return Err(
                "recursion or conditional group has no equivalent in Rust regex".to_string(),
            );
        }
        self.out.push('(');
        self.i += 1;
        self.quantifiable = false;
        Ok(())
    }

    /// Whether `(?-i)` style flags follow (not a recursion like `(?-1)`).
    fn flag_group(&self) -> bool {
        self.peek(2) == Some('-') && self.peek(3).is_some_and(|c| c.is_ascii_alphabetic())
    }

    /// Skips a balanced group starting at `self.i` (respecting escapes and classes).
    fn skip_group(&mut self) {
        let mut depth = 0usize;
        let mut in_class = false;
        while let Some(c) = self.peek(0) {
            self.i += 1;
            match c {
                '\\' => self.i += 1,
                '[' if !in_class => in_class = true,
                ']' if in_class => in_class = false,
                '(' if !in_class => depth += 1,
                ')' if !in_class => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// A `{`: a counted repetition, or a literal brace as Python reads it.
    fn brace(&mut self) {
        let rest: String = self.chars[self.i..].iter().take(24).collect();
        let body = rest[1..]
            .split('}')
            .next()
            .filter(|_| rest[1..].contains('}'));
        let valid = body.and_then(|body| {
            let (min, max) = match body.split_once(',') {
                Some((min, max)) => (min, Some(max)),
                None => (body, None),
            };
            let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
            let ok = digits(min)
                && max.is_none_or(digits)
                && !(min.is_empty() && max.is_none_or(str::is_empty));
            ok.then(|| (body.to_string(), min.is_empty()))
        });
        match valid {
            Some((body, no_min)) if self.quantifiable => {
                if no_min {
                    self.out.push_str(&format!("{{0{body}}}"));
                    self.change("`{,n}` -> `{0,n}`");
                } else {
                    self.out.push_str(&format!("{{{body}}}"));
                }
                self.i += body.chars().count() + 2;
                self.after_quantifier();
            }
            _ => {
                self.out.push_str("\\{");
                self.i += 1;
                self.quantifiable = true;
                self.change("literal `{` escaped");
            }
        }
    }

    /// After a quantifier: keep a lazy `?`, drop a possessive `+`.
    fn after_quantifier(&mut self) {
        match self.peek(0) {
            Some('?') => {
                self.out.push('?');
                self.i += 1;
            }
            Some('+') => {
                self.i += 1;
                self.change("possessive quantifier -> greedy");
            }
            _ => {}
        }
        self.quantifiable = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(source: &str) -> String {
        match translate(source) {
            Translation::Verbatim => source.to_string(),
            Translation::Translated { regex, .. } => regex,
            Translation::Failed { reason } => panic!("{source}: {reason}"),
        }
    }

    #[test]
    fn keeps_rust_compatible_regexes() {
        for source in [
            r"(DEADLINE_EXCEEDED|deadline exceeded)",
            r"\[Errno 2\] No such file or directory:?\s*['\x22]",
            r"NU1[0-9]{3}|x{2,}|y{1,3}?",
            r"(?i)(?:cache not found|cache miss)",
            r"(?P<name>\w+)-\d+\.\p{L}{2}[\w\-.]",
            r"[]a]|[^]a]|[[:alpha:]]",
        ] {
            assert_eq!(translate(source), Translation::Verbatim, "{source}");
            assert!(compile(source).is_ok(), "{source}");
        }
    }

    #[test]
    fn translates_python_only_syntax() {
        assert_eq!(rewritten(r"done\Z"), r"done\z");
        assert_eq!(rewritten(r"error(?=:)"), r"error");
        assert_eq!(rewritten(r"(?<!no )error(?!s)"), r"error");
        assert_eq!(rewritten(r"(?>a+)b"), r"(?:a+)b");
        assert_eq!(rewritten(r"a++b*+c?+d{2}+"), r"a+b*c?d{2}");
        assert_eq!(rewritten(r"a{,3}"), r"a{0,3}");
        assert_eq!(rewritten(r"${HOME} {x}"), r"$\{HOME} \{x}");
        assert_eq!(rewritten(r"[[]x]"), r"[\[]x]");
        assert_eq!(rewritten(r"[a&&b]"), r"[a\&\&b]");
        assert_eq!(rewritten(r"[\w-.]"), r"[\w\-.]");
        assert_eq!(rewritten(r"a(?#note)b"), r"ab");
        for source in [r"done\Z", r"(?<=x)y", r"${HOME}", r"[[]x]", r"a{,3}"] {
            assert!(compile(&rewritten(source)).is_ok(), "{source}");
        }
    }

    #[test]
    fn fails_on_backreferences() {
        for source in [r"(a)\1", r"(?P<q>')x(?P=q)", r"\k<name>", r"(?R)"] {
            assert!(
                matches!(translate(source), Translation::Failed { .. }),
                "{source}"
            );
        }
        assert_eq!(translate(r"(?-i:x)"), Translation::Verbatim);
    }

    #[test]
    fn derives_a_pattern_from_the_signature() {
        let pattern = from_signature("\n  Bind for 0.0.0.0:PORT failed (x)\nmore");
        assert_eq!(pattern, r"(?i)Bind for 0\.0\.0\.0:PORT failed \(x\)");
        let re = compile(&pattern).unwrap();
        assert!(matches_signature(&re, "BIND FOR 0.0.0.0:PORT FAILED (X)"));
    }
}
