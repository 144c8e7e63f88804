//! The literals a regex requires: at least one string of the returned set occurs
//! (ASCII case-insensitively) in every line the regex matches. The matcher looks for
//! these with one Aho-Corasick automaton and runs the regex only where they occur.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Literals shorter than this are not worth prefiltering on.
pub const MIN_LITERAL_BYTES: usize = 3;

/// Most alternatives kept for one required set.
const MAX_ALTERNATIVES: usize = 64;

/// Words so common in CI logs that a literal made only of them hardly narrows the
/// candidate lines (they sit on most lines of a failing log).
const COMMON: &[&str] = &[
    "error",
    "errors",
    "error:",
    "failed",
    "failure",
    "fatal",
    "fatal:",
    "warning",
    "denied",
    "not",
    "found",
    "not found",
    "cannot",
    "unable",
    "unable to",
    "invalid",
    "the",
    "http",
    "https",
    "https://",
    "http://",
    "exception",
    "could not",
    "failed to",
    "with",
    "for",
    "from",
    "info",
    "debug",
    "true",
    "false",
    "null",
    "run",
    "npm",
    "err!",
    "npm err!",
    "exit code",
    "code",
    "process",
    "version",
    "the ",
    " the ",
    "error: ",
    "::",
];

/// A set of literals (ASCII-lowercased) one of which every match contains.
#[derive(Debug, Clone, PartialEq)]
pub struct Required {
    pub literals: Vec<String>,
    /// How well the set narrows candidate lines: the worst alternative's quality.
    pub quality: f64,
}

/// The best required literal set of a parsed regex, if any alternative is usable.
pub fn required(hir: &Hir) -> Option<Required> {
    let set = required_set(hir)?;
    let quality = set.iter().map(|s| quality(s)).fold(f64::INFINITY, f64::min);
    (quality > 0.0).then_some(Required {
        literals: set,
        quality,
    })
}

/// Quality of one literal: its length (capped), much less for common words, 0 when too
/// short to use.
pub fn quality(literal: &str) -> f64 {
    let trimmed = literal.trim();
    if trimmed.len() < MIN_LITERAL_BYTES {
        return 0.0;
    }
    let length = trimmed.len().min(24) as f64;
    let common = COMMON.contains(&trimmed) || COMMON.contains(&literal);
    let wordish = trimmed.chars().any(|c| c.is_alphanumeric());
    if common {
        length * 0.2
    } else if wordish {
        length
    } else {
        length * 0.3
    }
}

fn required_set(hir: &Hir) -> Option<Vec<String>> {
    if let Some(s) = exact(hir)
        && !s.trim().is_empty()
    {
        return Some(vec![s]);
    }
    match hir.kind() {
        HirKind::Capture(cap) => required_set(&cap.sub),
        HirKind::Repetition(rep) if rep.min >= 1 => required_set(&rep.sub),
        HirKind::Alternation(branches) => {
            let mut all = Vec::new();
            for branch in branches {
                all.extend(required_set(branch)?);
                if all.len() > MAX_ALTERNATIVES {
                    return None;
                }
            }
            all.sort();
            all.dedup();
            Some(all)
        }
        HirKind::Concat(children) => {
            let mut candidates: Vec<Vec<String>> = Vec::new();
            let mut run = String::new();
            for child in children {
                match exact(child) {
                    Some(s) => run.push_str(&s),
                    None => {
                        if !run.trim().is_empty() {
                            candidates.push(vec![std::mem::take(&mut run)]);
                        }
                        run.clear();
                        if let Some(set) = required_set(child) {
                            candidates.push(set);
                        }
                    }
                }
            }
            if !run.trim().is_empty() {
                candidates.push(vec![run]);
            }
            candidates.into_iter().max_by(|a, b| {
                let qa = a.iter().map(|s| quality(s)).fold(f64::INFINITY, f64::min);
                let qb = b.iter().map(|s| quality(s)).fold(f64::INFINITY, f64::min);
                qa.total_cmp(&qb)
            })
        }
        _ => None,
    }
}

/// The one string (ASCII-lowercased) `hir` matches, treating ASCII case variants as equal.
fn exact(hir: &Hir) -> Option<String> {
    match hir.kind() {
        HirKind::Empty => Some(String::new()),
        HirKind::Literal(lit) => std::str::from_utf8(&lit.0)
            .ok()
            .map(str::to_ascii_lowercase),
        HirKind::Class(class) => single_letter(class).map(String::from),
        HirKind::Capture(cap) => exact(&cap.sub),
        HirKind::Concat(children) => children.iter().map(exact).collect(),
        HirKind::Repetition(rep) if rep.max == Some(rep.min) && rep.min <= 8 => {
            exact(&rep.sub).map(|s| s.repeat(rep.min as usize))
        }
        _ => None,
    }
}

/// A class that is one character, or one ASCII letter in both cases (plus the
/// non-ASCII folds Unicode adds, such as the Kelvin sign for `k`).
fn single_letter(class: &Class) -> Option<char> {
    let chars: Vec<char> = match class {
        Class::Unicode(c) => {
            let mut out = Vec::new();
            for r in c.ranges() {
                if (r.end() as u32) - (r.start() as u32) > 2 {
                    return None;
                }
                out.extend(r.start()..=r.end());
            }
            out
        }
        Class::Bytes(c) => {
            let mut out = Vec::new();
            for r in c.ranges() {
                if r.end() - r.start() > 2 {
                    return None;
                }
                out.extend((r.start()..=r.end()).map(char::from));
            }
            out
        }
    };
    match chars.as_slice() {
        [c] => Some(c.to_ascii_lowercase()),
        _ => {
            let ascii: Vec<char> = chars.iter().copied().filter(char::is_ascii).collect();
            match ascii.as_slice() {
                [a, b] if a.eq_ignore_ascii_case(b) && a != b => Some(a.to_ascii_lowercase()),
                _ => None,
            }
        }
    }
}

/// Literal characters a match must contain at least: a rough measure of how specific
/// a regex is (alternations count their shortest branch).
pub fn literal_len(hir: &Hir) -> usize {
    match hir.kind() {
        HirKind::Literal(lit) => String::from_utf8_lossy(&lit.0).chars().count(),
        HirKind::Class(class) => usize::from(single_letter(class).is_some()),
        HirKind::Capture(cap) => literal_len(&cap.sub),
        HirKind::Repetition(rep) => literal_len(&rep.sub) * (rep.min.min(4) as usize),
        HirKind::Concat(children) => children.iter().map(literal_len).sum(),
        HirKind::Alternation(branches) => branches.iter().map(literal_len).min().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(pattern: &str) -> Option<Vec<String>> {
        let hir = regex_syntax::parse(pattern).unwrap();
        required(&hir).map(|r| r.literals)
    }

    #[test]
    fn picks_the_rarest_required_literal() {
        assert_eq!(
            req(r"Error: Not authorized to perform sts:AssumeRoleWithWebIdentity"),
            Some(vec![
                "error: not authorized to perform sts:assumerolewithwebidentity".into()
            ])
        );
        assert_eq!(
            req(r"(?i)error:\s+\d+ (ERESOLVE|EINTEGRITY)"),
            Some(vec!["eintegrity".into(), "eresolve".into()])
        );
        assert_eq!(
            req(r"No OpenIDConnect provider found in your account for (?P<url>\S+)"),
            Some(vec![
                "no openidconnect provider found in your account for ".into()
            ])
        );
    }

    #[test]
    fn case_insensitive_letters_are_literals() {
        assert_eq!(
            req(r"(?i)incorrect token audience"),
            Some(vec!["incorrect token audience".into()])
        );
    }

    #[test]
    fn inner_literals_are_found() {
        assert_eq!(
            req(r"\d+ packages? .* ERR_PNPM_OUTDATED_LOCKFILE"),
            Some(vec![" err_pnpm_outdated_lockfile".into()])
        );
    }

    #[test]
    fn no_literal_for_bare_classes() {
        assert_eq!(req(r"\w+\s+\d+"), None);
        assert_eq!(req(r"(a|\w+)x"), None);
    }

    #[test]
    fn quality_prefers_rare_words() {
        assert!(quality("error") < quality("eresolve"));
        assert_eq!(quality("ab"), 0.0);
    }
}
