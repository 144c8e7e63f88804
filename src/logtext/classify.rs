//! How error-like a clean line is, and whether it is wrapper noise: a line such as
//! `Process completed with exit code 1.` proves that something failed, never what.

use super::Marker;
use regex::RegexSet;
use std::sync::LazyLock;

/// The highest raw score; [`Score::normalized`] divides by it.
const MAX_SCORE: f32 = 6.0;

/// Lines longer than this (bytes) count for less.
const LONG_LINE: usize = 400;

/// Error-ness of one line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// 0 for ordinary lines, up to [`MAX_SCORE`].
    pub value: f32,
    /// Wrapper noise: marks a failure, never its cause.
    pub wrapper: bool,
}

impl Score {
    /// The score in [0, 1].
    pub fn normalized(&self) -> f32 {
        (self.value / MAX_SCORE).clamp(0.0, 1.0)
    }

    /// Raises a line that continues an error line ending in `:` (`Error: install
    /// failed, err:` then the reason; Gradle's `* What went wrong:` then the error):
    /// the reason is the better line to show, so it ends above its header.
    pub fn continue_from(&mut self, previous: &Score) {
        if previous.is_errorish() && !previous.wrapper && !self.wrapper {
            self.value = (self.value + 0.9 * previous.value)
                .max(previous.value + 0.1)
                .min(MAX_SCORE);
        }
    }

    /// Worth running weak patterns on.
    pub fn is_errorish(&self) -> bool {
        self.value >= 1.5
    }

    /// Rank of an error line for display: wrapper lines come after every other line
    /// with any error-ness. Equal ranks go to the earlier line (a first failure often
    /// causes the later ones).
    pub fn display_rank(&self) -> f32 {
        if self.wrapper {
            self.value - MAX_SCORE * 2.0
        } else {
            self.value
        }
    }
}

/// Words and phrases that make a line look like an error, with their weights.
const KEYWORDS: &[(&str, f32)] = &[
    ("error", 1.0),
    ("error:", 1.0),
    ("error[", 1.5),
    ("errors", -0.5),
    ("fatal", 1.5),
    ("err!", 1.5),
    ("traceback (most recent call last)", 2.0),
    ("exception", 1.2),
    ("panicked at", 2.0),
    ("failed", 1.0),
    ("failure", 0.8),
    ("failed to", 0.5),
    ("could not", 1.2),
    ("couldn't", 1.2),
    ("cannot ", 1.2),
    ("can't ", 1.0),
    ("unable to", 1.2),
    ("denied", 1.5),
    ("not authorized", 1.5),
    ("unauthorized", 1.5),
    ("forbidden", 1.5),
    ("not found", 1.2),
    ("no such file", 1.2),
    ("timed out", 1.2),
    ("timeout", 0.8),
    ("killed", 1.0),
    ("out of memory", 1.5),
    ("refused", 1.2),
    ("invalid", 1.0),
    ("not allowed", 1.2),
    ("segmentation fault", 2.0),
    ("cmake error", 2.0),
    ("too many requests", 1.5),
    ("no longer supported", 1.0),
    ("not supported", 0.8),
    ("stalled", 1.0),
    ("rate limit", 1.0),
    ("rate exceeded", 1.5),
    ("--- fail", 2.0),
    // Gradle's header for the error statement on the next line.
    ("what went wrong", 2.0),
    ("ignoring", -0.5),
    ("assertionerror", 1.0),
    ("undefined", 0.6),
    ("no space left", 2.0),
    ("mismatch", 0.8),
    ("incompatible", 0.8),
    ("conflict", 0.6),
    ("exceeded", 1.0),
    ("rejected", 1.0),
    ("expired", 0.8),
    ("missing", 0.6),
    ("unsupported", 0.8),
    ("deprecated", 0.3),
    ("warning", -0.8),
    ("0 errors", -2.0),
    ("no errors", -2.0),
    ("0 failed", -2.0),
    ("errors: 0", -2.0),
    ("-werror", -1.0),
];

// Keyword ids are tracked in a u64 bit set.
const _: () = assert!(KEYWORDS.len() <= 64);

/// The words and phrases [`score`] weighs; the caller finds them on a line (ASCII
/// case-insensitively, overlapping) and passes their ids as a bit set.
pub fn keywords() -> impl Iterator<Item = &'static str> {
    KEYWORDS.iter().map(|(k, _)| *k)
}

/// Lines that only say a command or job failed.
static WRAPPERS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?i)process completed with exit code \d+",
        r"(?i)^error: the process '.*' failed with exit code \d+",
        r"(?i)the process '[^']*' failed with exit code \d+",
        r"^make(\[\d+\])?: \*\*\* .*(Error|Fehler) \d+",
        r"npm (ERR!|error) (A complete log of this run|Log files were not written|code ELIFECYCLE|errno \d+|Failed at the|This is probably not a problem with npm|command failed|Lifecycle script)",
        r"(?i)^(error )?command failed with exit code \d+",
        r"ELIFECYCLE.*[Cc]ommand failed",
        r"ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL",
        r"^ERROR: Job failed: .*exit (code|status) \d+",
        r"script returned exit code \d+",
        r"^Finished: (FAILURE|ABORTED|UNSTABLE)",
        r"^Build step '.*' marked build as failure",
        r"^Exited with code (exit status )?\d+",
        r"Error: The command exited with status \d+",
        r"FAILURE: Build failed with an exception",
        r"^BUILD FAILED",
        r"due to \d+ previous errors?",
        r"^error: aborting due to",
        r"did not complete successfully: exit code: \d+",
        r"^Error: Command failed with exit code",
        r"(?i)^##\[error\]",
        r"^Error: Process completed",
        r"^Test failed\. See above for more details",
        r"^\[ERROR\] (-> \[Help 1\]|Re-run Maven|To see the full stack trace|For more information about the errors|Help 1\]|$)",
        r"^error Command failed",
        r"^\s*(exit status|exit code):? \d+$",
    ])
    .expect("wrapper patterns compile")
});

/// Phrases of CI notices that the log was cut (e.g. GitLab's `Job's log exceeded
/// limit`); found ASCII case-insensitively by the caller.
pub const TRUNCATION_NOTICES: &[&str] = &[
    "log truncated",
    "output truncated",
    "logs truncated",
    "log was truncated",
    "log exceeded limit",
    "job's log exceeded",
    "exceeded the maximum log size",
    "log size limit",
    "[truncated]",
    "<truncated",
];

/// Scores one clean line; `keywords` has bit `i` set when the `i`th of [`keywords`]
/// occurs in it. `echo` lines (a step's script shown before it runs) count for little:
/// they quote commands, not results.
pub fn score(text: &str, marker: Marker, echo: bool, keywords: u64) -> Score {
    let mut value: f32 = match marker {
        Marker::Error => 2.0,
        Marker::Warning => 0.2,
        Marker::None => 0.0,
    };
    if text.len() > 2 {
        value += super::set_bits(keywords)
            .map(|i| KEYWORDS[i].1)
            .sum::<f32>();
        let head = text.trim_start().as_bytes();
        let starts =
            |p: &str| head.len() >= p.len() && head[..p.len()].eq_ignore_ascii_case(p.as_bytes());
        // A test runner's verdict (`FAIL`, `--- FAIL:`, `FAILED`) states a failure
        // outright; a line opening with `error`/`fatal` usually does.
        if ["fail", "--- fail", "✗", "×", "❌"]
            .iter()
            .any(|p| starts(p))
        {
            value += 2.0;
        } else if ["error", "fatal", "e   ", "[error]"]
            .iter()
            .any(|p| starts(p))
        {
            value += 1.0;
        }
    }
    if echo || text.starts_with("+ ") || text.starts_with("$ ") {
        value *= 0.3;
    }
    // Very long lines are mostly data (JSON blobs, minified code) quoting error words.
    if text.len() > LONG_LINE {
        value *= 0.4;
    }
    let value = value.clamp(0.0, MAX_SCORE);
    let wrapper = value > 0.0 && WRAPPERS.is_match(text);
    Score { value, wrapper }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `score` with the keyword bit set found naively.
    fn score_of(text: &str, marker: Marker, echo: bool) -> Score {
        score(
            text,
            marker,
            echo,
            crate::logtext::naive_bits(keywords(), text),
        )
    }

    #[test]
    fn wrappers_mark_failure_but_rank_low() {
        let w = score_of("Process completed with exit code 1.", Marker::Error, false);
        assert!(w.wrapper);
        let cause = score_of(
            "Error: Not authorized to perform sts:AssumeRoleWithWebIdentity",
            Marker::Error,
            false,
        );
        assert!(!cause.wrapper);
        assert!(cause.value > w.value);
        assert!(score_of("make: *** [Makefile:12: all] Error 2", Marker::None, false).wrapper);
        assert!(
            score_of(
                "npm ERR! A complete log of this run can be found in:",
                Marker::None,
                false
            )
            .wrapper
        );
    }

    #[test]
    fn the_reason_after_a_colon_outranks_its_header() {
        let header = score_of(
            "Error: failed to run Helm install, err:",
            Marker::None,
            false,
        );
        let mut reason = score_of(
            "cannot re-use a name that is still in use",
            Marker::None,
            false,
        );
        reason.continue_from(&header);
        assert!(reason.value > header.value);
    }

    #[test]
    fn gradle_what_went_wrong_makes_the_next_line_the_error() {
        let header = score_of("* What went wrong:", Marker::None, false);
        let mut reason = score_of(
            "Gradle build daemon has been stopped: since the JVM garbage collector is thrashing",
            Marker::None,
            false,
        );
        assert!(!reason.is_errorish());
        reason.continue_from(&header);
        assert!(reason.is_errorish());
        assert!(reason.value > header.value);
    }

    #[test]
    fn ordinary_lines_score_zero() {
        assert_eq!(
            score_of("Compiling serde v1.0.0", Marker::None, false).value,
            0.0
        );
        assert_eq!(
            score_of("test result: ok. 0 failed", Marker::None, false).value,
            0.0
        );
        assert!(!score_of("warning: unused variable", Marker::None, false).is_errorish());
    }

    #[test]
    fn echoed_commands_count_little() {
        let echoed = score_of("echo \"error: failed\"", Marker::None, true);
        assert!(!echoed.is_errorish());
    }
}
