//! Secrets hidden in anything shown or stored: AWS access keys, GitHub tokens, JWTs,
//! bearer tokens, passwords in URLs, and `key=value` secrets.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// What replaces a secret.
pub const REDACTED: &str = "[REDACTED]";

static SECRETS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b",
        r"|\bgh[pousr]_[A-Za-z0-9]{30,}",
        r"|\bgithub_pat_[A-Za-z0-9_]{20,}",
        r"|\bglpat-[A-Za-z0-9_-]{20,}",
        r"|\bxox[abprs]-[A-Za-z0-9-]{10,}",
        r"|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+",
        r"|(?i:\bbearer\s+)[A-Za-z0-9._~+/-]{8,}=*",
        r"|(?i:(?:aws_secret_access_key|secret_key|password|passwd|api_key|apikey|token|secret)\s*[=:]\s*)[^\s'\x22,;\[]{6,}",
    ))
    .expect("secret regex compiles")
});

/// Userinfo passwords in URLs: `https://user:pass@host`.
static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^/\s@]+@")
        .expect("url regex compiles")
});

/// `text` with secrets replaced by [`REDACTED`] (keeping the key name of `key=value`).
pub fn redact(text: &str) -> Cow<'_, str> {
    let step = URL_PASSWORD.replace_all(text, format!("${{scheme}}{REDACTED}@"));
    if !SECRETS.is_match(&step) {
        return step;
    }
    let replaced = SECRETS
        .replace_all(&step, |caps: &regex::Captures<'_>| {
            let found = &caps[0];
            // Keep `password=` / `Bearer ` so the line still reads.
            match found.find(['=', ':']).filter(|_| !found.starts_with("eyJ")) {
                Some(i)
                    if found[..i]
                        .chars()
                        .all(|c| c.is_ascii_alphabetic() || c == '_' || c == ' ') =>
                {
                    let value_start =
                        i + 1 + found[i + 1..].len() - found[i + 1..].trim_start().len();
                    format!("{}{REDACTED}", &found[..value_start])
                }
                _ if found.to_ascii_lowercase().starts_with("bearer") => {
                    format!("{} {REDACTED}", &found[..6])
                }
                _ => REDACTED.to_string(),
            }
        })
        .into_owned();
    Cow::Owned(replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_secrets() {
        assert_eq!(
            redact("key AKIAIOSFODNN7EXAMPLE here"),
            "key [REDACTED] here"
        );
        assert_eq!(
            redact("token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"),
            "token [REDACTED]"
        );
        assert_eq!(
            redact("git clone https://x-access-token:s3cr3t@github.com/o/r"),
            "git clone https://x-access-token:[REDACTED]@github.com/o/r"
        );
        assert_eq!(
            redact("Authorization: Bearer abc.def.ghi123"),
            "Authorization: Bearer [REDACTED]"
        );
        assert_eq!(
            redact("jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vciJ9.c2lnbmF0dXJl"),
            "jwt [REDACTED]"
        );
        assert_eq!(redact("password=hunter22"), "password=[REDACTED]");
        assert_eq!(redact("nothing secret here"), "nothing secret here");
    }
}
