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
    "fail",
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
    "test",
    "tests",
    "time",
    "timeout",
    "build",
    "config",
    "node",
    "action",
    "missing",
    "package",
    "file",
    "module",
    "system",
    "import",
    "path",
    "command",
    "install",
    "start",
    "connection",
    "request",
    "response",
    "server",
    "client",
    "service",
    "image",
    "user",
    "access",
    "load",
    "read",
    "write",
    "open",
    "value",
    "type",
    "data",
    "name",
    "abort",
    "exit",
    "status",
    "task",
    "step",
    "check",
    "update",
    "download",
    "upload",
    "cache",
    "memory",
    "permission",
    "resource",
    "limit",
    "exceeded",
    "timed out",
    "out",
    "key",
    "set",
    "get",
    "job",
];

/// A set of literals (ASCII-lowercased) one of which every match contains.
#[derive(Debug, Clone, PartialEq)]
pub struct Required {
    pub literals: Vec<String>,
    /// How well the set narrows candidate lines: the worst alternative's quality.
    pub quality: f64,
}

/// The best required literal set of a parsed regex: the best set of each of its
/// alternatives (see [`branch_sets`]), if every alternative has a usable one.
pub fn required(hir: &Hir) -> Option<Required> {
    let mut set: Vec<String> = branch_sets(hir)
        .into_iter()
        .filter_map(|branch| branch.sets.into_iter().next())
        .flatten()
        .collect();
    set.sort();
    set.dedup();
    if set.is_empty() || set.len() > MAX_ALTERNATIVES {
        return None;
    }
    let quality = worst(&set);
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

/// Up to two literal sets, best first, each of which every match contains one of
/// (independently: a match holds a literal of the first set and one of the second).
fn required_sets(hir: &Hir) -> Vec<Vec<String>> {
    if let Some(set) = exact_set(hir).filter(|set| usable(set)) {
        return vec![set];
    }
    match hir.kind() {
        HirKind::Capture(cap) => required_sets(&cap.sub),
        HirKind::Repetition(rep) if rep.min >= 1 => required_sets(&rep.sub),
        HirKind::Alternation(branches) => {
            // Each branch requires its own sets; the union of the branches' first sets
            // is required, and so is the union of their second sets if all have one.
            let per_branch: Vec<Vec<Vec<String>>> = branches.iter().map(required_sets).collect();
            let mut out = Vec::new();
            for rank in 0..2 {
                let mut all: Vec<String> = Vec::new();
                for sets in &per_branch {
                    let Some(set) = sets.get(rank) else {
                        return out;
                    };
                    all.extend(set.iter().cloned());
                }
                all.sort();
                all.dedup();
                if all.len() > MAX_ALTERNATIVES {
                    return out;
                }
                out.push(all);
            }
            out
        }
        HirKind::Concat(children) => {
            // Runs of children that match finitely many strings are joined (so the
            // common prefix regex-syntax factors out of `(?i)oom|out of memory` is put
            // back); other children offer their own required sets.
            let mut candidates: Vec<Vec<String>> = Vec::new();
            let mut run: Option<Vec<String>> = Some(vec![String::new()]);
            for child in children {
                match exact_set(child).and_then(|set| cross(run.as_deref()?, &set)) {
                    Some(joined) => run = Some(joined),
                    None => {
                        candidates.extend(run.take().filter(|r| usable(r)));
                        candidates.extend(required_sets(child).into_iter().next());
                        // A child that is itself finite starts the next run.
                        run = exact_set(child).or(Some(vec![String::new()]));
                    }
                }
            }
            candidates.extend(run.filter(|r| usable(r)));
            candidates.sort_by(|a, b| worst(b).total_cmp(&worst(a)));
            candidates.truncate(2);
            candidates
        }
        _ => Vec::new(),
    }
}

/// What a line must hold for one alternative of a regex to match.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Branch {
    /// Literal sets (up to two, see [`required_sets`]) each of which has a literal on
    /// the line.
    pub sets: Vec<Vec<String>>,
    /// Runs of literal text every match holds in this order, without overlap (kept when
    /// there are two or more): `version.*deprecated` needs `version` before
    /// `deprecated`.
    pub runs: Vec<Vec<String>>,
}

/// What a line must hold for the regex to match: the conditions of one of its
/// alternatives. Tighter than one set for the whole regex: `(?i)(linker.*not
/// found|ld.*error)` needs `linker` and `not found`, in that order. Empty when some
/// branch has no usable literal.
pub fn branch_sets(hir: &Hir) -> Vec<Branch> {
    if let Some(set) = exact_set(hir).filter(|set| usable(set)) {
        return vec![Branch {
            sets: vec![set],
            runs: Vec::new(),
        }];
    }
    let mut out = Vec::new();
    for branch in alternatives(hir) {
        let sets: Vec<Vec<String>> = required_sets(&branch)
            .into_iter()
            .filter(|set| worst(set) > 0.0)
            .collect();
        if sets.is_empty() {
            return Vec::new();
        }
        let mut runs = literal_runs(&branch);
        if runs.len() < 2 {
            runs.clear();
        }
        out.push(Branch { sets, runs });
    }
    out
}

/// The usable runs of literal text of a concatenation, in order.
fn literal_runs(hir: &Hir) -> Vec<Vec<String>> {
    let children = match hir.kind() {
        HirKind::Capture(cap) => return literal_runs(&cap.sub),
        HirKind::Concat(children) => children,
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    let mut run: Option<Vec<String>> = Some(vec![String::new()]);
    for child in children {
        let exact = exact_set(child);
        match exact.as_ref().and_then(|set| cross(run.as_deref()?, set)) {
            Some(joined) => run = Some(joined),
            None => {
                out.extend(run.take().filter(|r| worst(r) > 0.0));
                run = exact.or(Some(vec![String::new()]));
            }
        }
    }
    out.extend(run.filter(|r| worst(r) > 0.0));
    out
}

/// For a regex without a usable literal: strings one of which every match still holds,
/// however short (`W/`, `\\`), so a line lacking all of them can skip the regex. Empty
/// when some alternative requires no literal text at all.
pub fn short_required(hir: &Hir) -> Vec<String> {
    let mut out = Vec::new();
    for branch in alternatives(hir) {
        let Some(set) = required_sets(&branch).into_iter().next() else {
            return Vec::new();
        };
        out.extend(set);
    }
    out.sort();
    out.dedup();
    if out.len() > MAX_ALTERNATIVES {
        out.clear();
    }
    out
}

/// Most alternatives [`alternatives`] spells out.
const MAX_BRANCHES: usize = 32;

/// The regex as alternatives whose union it matches: top-level branches, with
/// alternations inside a concatenation multiplied out. This undoes the common-prefix
/// factoring regex-syntax applies (`TensorRT.*x|TRT.*y` becomes `t(ensorrt.*x|rt.*y)`),
/// which would otherwise hide each branch's own literals.
fn alternatives(hir: &Hir) -> Vec<Hir> {
    let spelled = match hir.kind() {
        HirKind::Capture(cap) => return alternatives(&cap.sub),
        HirKind::Alternation(branches) => branches.iter().flat_map(alternatives).collect(),
        HirKind::Concat(children) => {
            let split = children.iter().position(|c| {
                matches!(c.kind(), HirKind::Alternation(_))
                    || matches!(c.kind(), HirKind::Capture(cap) if matches!(cap.sub.kind(), HirKind::Alternation(_)))
            });
            match split {
                None => vec![hir.clone()],
                Some(i) => {
                    let mut out = Vec::new();
                    for middle in alternatives(&children[i]) {
                        let mut parts = children[..i].to_vec();
                        parts.push(middle);
                        parts.extend_from_slice(&children[i + 1..]);
                        out.extend(alternatives(&Hir::concat(parts)));
                        if out.len() > MAX_BRANCHES {
                            break;
                        }
                    }
                    out
                }
            }
        }
        _ => vec![hir.clone()],
    };
    if spelled.len() > MAX_BRANCHES {
        vec![hir.clone()]
    } else {
        spelled
    }
}

/// Quality of a set: its worst alternative's.
fn worst(set: &[String]) -> f64 {
    set.iter().map(|s| quality(s)).fold(f64::INFINITY, f64::min)
}

/// A set every alternative of which is worth searching for.
fn usable(set: &[String]) -> bool {
    !set.is_empty() && set.iter().all(|s| !s.trim().is_empty())
}

/// Every concatenation of a string of `a` with one of `b`, if not too many.
fn cross(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() * b.len() > MAX_ALTERNATIVES {
        return None;
    }
    let mut out: Vec<String> = a
        .iter()
        .flat_map(|x| b.iter().map(move |y| format!("{x}{y}")))
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

/// The finitely many strings (ASCII-lowercased) `hir` matches, if there are few.
fn exact_set(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Capture(cap) => exact_set(&cap.sub),
        HirKind::Concat(children) => children.iter().try_fold(vec![String::new()], |acc, child| {
            cross(&acc, &exact_set(child)?)
        }),
        HirKind::Alternation(branches) => {
            let mut all = Vec::new();
            for branch in branches {
                all.extend(exact_set(branch)?);
            }
            all.sort();
            all.dedup();
            (all.len() <= MAX_ALTERNATIVES).then_some(all)
        }
        HirKind::Repetition(rep) if rep.min == 0 && rep.max == Some(1) => {
            let mut set = exact_set(&rep.sub)?;
            set.push(String::new());
            Some(set)
        }
        _ => exact(hir).map(|s| vec![s]),
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

/// The information in the literal text every match contains: `weigh` rates each
/// required run of literal text; a concatenation adds its parts, an alternation counts
/// its poorest branch, optional parts count nothing.
pub fn literal_info(hir: &Hir, weigh: &dyn Fn(&str) -> f64) -> f64 {
    if let Some(s) = exact(hir) {
        return weigh(&s);
    }
    match hir.kind() {
        HirKind::Capture(cap) => literal_info(&cap.sub, weigh),
        HirKind::Repetition(rep) if rep.min >= 1 => literal_info(&rep.sub, weigh),
        HirKind::Alternation(branches) => branches
            .iter()
            .map(|b| literal_info(b, weigh))
            .fold(f64::INFINITY, f64::min),
        HirKind::Concat(children) => {
            let mut total = 0.0;
            let mut run = String::new();
            for child in children {
                match exact(child) {
                    Some(s) => run.push_str(&s),
                    None => {
                        total += weigh(&std::mem::take(&mut run)) + literal_info(child, weigh);
                    }
                }
            }
            total + weigh(&run)
        }
        _ => 0.0,
    }
}

/// Constraints beside literal text that every match satisfies: anchors and word
/// boundaries, and character classes narrower than "any character" (`\d+`,
/// `[\w.-]+`), counted in required positions.
pub fn structure(hir: &Hir) -> usize {
    match hir.kind() {
        HirKind::Look(_) => 1,
        HirKind::Class(class) => usize::from(single_letter(class).is_none() && !is_broad(class)),
        HirKind::Capture(cap) => structure(&cap.sub),
        HirKind::Repetition(rep) if rep.min >= 1 => structure(&rep.sub),
        HirKind::Concat(children) => children.iter().map(structure).sum(),
        HirKind::Alternation(branches) => branches.iter().map(structure).min().unwrap_or(0),
        _ => 0,
    }
}

/// A class that admits nearly everything (`.`, `[^x]`, `\S`).
fn is_broad(class: &Class) -> bool {
    let size: u64 = match class {
        Class::Unicode(c) => c
            .ranges()
            .iter()
            .map(|r| u64::from(r.end() as u32 - r.start() as u32) + 1)
            .sum(),
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .map(|r| u64::from(r.end() - r.start()) + 1)
            .sum(),
    };
    size > 1000 || (matches!(class, Class::Bytes(_)) && size > 200)
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
            Some(vec![" eintegrity".into(), " eresolve".into()])
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
    fn factored_prefixes_are_put_back() {
        assert_eq!(
            req(r"(?i)OOMKilled|Out of memory|OOM"),
            Some(vec![
                "oom".into(),
                "oomkilled".into(),
                "out of memory".into()
            ])
        );
        assert_eq!(
            req(r"\d+ packages? found"),
            Some(vec![" package found".into(), " packages found".into()])
        );
    }

    /// One field of each branch of `pattern`.
    fn per_branch(pattern: &str, field: fn(Branch) -> Vec<Vec<String>>) -> Vec<Vec<Vec<String>>> {
        branch_sets(&regex_syntax::parse(pattern).unwrap())
            .into_iter()
            .map(field)
            .collect()
    }

    fn owned(sets: &[&[&str]]) -> Vec<Vec<String>> {
        sets.iter()
            .map(|set| set.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn each_branch_keeps_its_own_literals() {
        let branches = |p: &str| per_branch(p, |b| b.sets);
        assert_eq!(
            branches(r"(?i)dns.*resolver.*failed"),
            vec![owned(&[&["resolver"], &["dns"]])]
        );
        assert_eq!(
            branches(r"(?i)(ctest.*failed|test.*non-zero)"),
            vec![
                owned(&[&["ctest"], &["failed"]]),
                owned(&[&["non-zero"], &["test"]])
            ]
        );
        // A branch without a usable literal leaves nothing to require.
        assert_eq!(
            branches(r"(?i)(ctest.*failed|\d+)"),
            Vec::<Vec<Vec<String>>>::new()
        );
        // regex-syntax factors out the common `t`; each branch keeps its own words.
        assert_eq!(
            branches(r"(?i)(TensorRT.*conversion.*failed|TRT.*error|trt.*not supported)"),
            vec![
                owned(&[&["conversion"], &["tensorrt"]]),
                owned(&[&["trt"], &["error"]]),
                owned(&[&["not supported"], &["trt"]])
            ]
        );
        assert_eq!(
            branches(r"(?i)OOMKilled|OOM"),
            vec![owned(&[&["oom", "oomkilled"]])]
        );
    }

    #[test]
    fn runs_keep_the_order_of_the_text() {
        let runs = |p: &str| per_branch(p, |b| b.runs);
        assert_eq!(
            runs(r"(?i)(410.*Gone|version.*deprecated)"),
            vec![
                owned(&[&["410"], &["gone"]]),
                owned(&[&["version"], &["deprecated"]])
            ]
        );
        // The alternation is multiplied out; ` in ` is too short to look for.
        assert_eq!(
            runs(r"npm ERR! (code|errno) E\w+ in (?P<dir>\S+) now"),
            vec![
                owned(&[&["npm err! code e"], &[" now"]]),
                owned(&[&["npm err! errno e"], &[" now"]])
            ]
        );
        // One run only: nothing to order.
        assert_eq!(
            runs(r"(?i)connection refused\s*$"),
            vec![Vec::<Vec<String>>::new()]
        );
    }

    #[test]
    fn no_literal_for_bare_classes() {
        assert_eq!(req(r"\w+\s+\d+"), None);
        assert_eq!(req(r"(a|\w+)x"), None);
    }

    #[test]
    fn literal_info_adds_runs_and_takes_the_poorest_branch() {
        let weigh = |s: &str| s.trim().len() as f64;
        let info = |p: &str| literal_info(&regex_syntax::parse(p).unwrap(), &weigh);
        assert_eq!(info("abc.*defg"), 7.0);
        assert_eq!(info("x(ab|cdef)y"), 4.0);
        assert_eq!(info("(?i)abc(de)?"), 3.0);
    }

    #[test]
    fn structure_counts_anchors_and_narrow_classes() {
        let structure_of = |p: &str| structure(&regex_syntax::parse(p).unwrap());
        assert_eq!(structure_of(r"^#\d+ ERROR: .*not found$"), 3);
        assert_eq!(structure_of(r"a.*b\S+"), 0);
    }

    #[test]
    fn quality_prefers_rare_words() {
        assert!(quality("error") < quality("eresolve"));
        assert_eq!(quality("ab"), 0.0);
    }
}
