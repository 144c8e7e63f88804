//! CI line prefixes: timestamps and markers each CI system puts before a log line.

/// Length of a GitHub/GitLab ISO timestamp prefix `2024-01-20T10:00:00.1234567Z `
/// (fraction optional), including the following space; 0 when absent.
pub fn iso_timestamp(line: &str) -> usize {
    let b = line.as_bytes();
    if b.len() < 21 || !is_date_time(b) {
        return 0;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len() && b[i] == b'Z' {
        i += 1;
    } else if i + 6 <= b.len() && (b[i] == b'+' || b[i] == b'-') && b[i + 3] == b':' {
        i += 6;
    } else {
        return 0;
    }
    match b.get(i) {
        Some(b' ') | Some(b'\t') => i + 1,
        None => i,
        _ => 0,
    }
}

/// `YYYY-MM-DDTHH:MM:SS` (or a space for the `T`) at the start of `b`. Separators
/// first: most lines fail there.
fn is_date_time(b: &[u8]) -> bool {
    const DIGITS: [usize; 14] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && b[13] == b':'
        && b[16] == b':'
        && DIGITS.iter().all(|&i| b[i].is_ascii_digit())
}

/// GitLab's raw-log stream prefix after the timestamp: `00O `, `00E `, `00O+`.
pub fn gitlab_stream(line: &str) -> usize {
    let b = line.as_bytes();
    if b.len() >= 3
        && b[0].is_ascii_hexdigit()
        && b[1].is_ascii_hexdigit()
        && (b[2] == b'O' || b[2] == b'E')
    {
        let mut i = 3;
        if b.get(i) == Some(&b'+') {
            i += 1;
        }
        if b.get(i) == Some(&b' ') {
            i += 1;
        }
        return i;
    }
    0
}

/// Jenkins timestamper prefix `[2024-01-20T10:00:00.123Z] `.
pub fn jenkins_timestamp(line: &str) -> usize {
    let Some(rest) = line.strip_prefix('[') else {
        return 0;
    };
    if !is_date_time(rest.as_bytes()) {
        return 0;
    }
    let Some(end) = memchr::memchr(b']', &rest.as_bytes()[..rest.len().min(40)]) else {
        return 0;
    };
    let zone = &rest[19..end];
    if !zone
        .bytes()
        .all(|c| c.is_ascii_digit() || b".Z+-:".contains(&c))
    {
        return 0;
    }
    let after = end + 2;
    if rest[end + 1..].starts_with(' ') {
        after + 1
    } else {
        after
    }
}

/// `gh run view --log` lines: `<job>\t<step>\t<timestamp> <text>`; returns the step
/// and the offset of the timestamp.
pub fn gh_cli_fields(line: &str) -> Option<(&str, usize)> {
    let b = line.as_bytes();
    let first = memchr::memchr(b'\t', b)?;
    let second = first + 1 + memchr::memchr(b'\t', &b[first + 1..])?;
    let rest = &line[second + 1..];
    (iso_timestamp(rest) > 0).then(|| (&line[first + 1..second], second + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_timestamps() {
        let l = "2024-01-20T10:00:00.1234567Z Run npm test";
        assert_eq!(&l[iso_timestamp(l)..], "Run npm test");
        assert_eq!(iso_timestamp("2024-01-20 nope"), 0);
        let j = "[2024-01-20T10:00:00.123Z] + make";
        assert_eq!(&j[jenkins_timestamp(j)..], "+ make");
        let g = "2024-06-12T09:44:06.123456Z 00O+ hello";
        let after = &g[iso_timestamp(g)..];
        assert_eq!(&after[gitlab_stream(after)..], "hello");
    }

    #[test]
    fn reads_gh_cli_lines() {
        let l = "build\tRun tests\t2024-01-20T10:00:00.1234567Z FAIL x";
        let (step, at) = gh_cli_fields(l).unwrap();
        assert_eq!(step, "Run tests");
        assert!(l[at..].starts_with("2024"));
    }
}
