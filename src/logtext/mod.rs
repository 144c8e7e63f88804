//! Raw CI log bytes to clean lines.
//!
//! [`input::open`] sniffs gzip and zip archives and yields line streams; a
//! [`Normalizer`] turns each raw line into what a person would read: CI timestamps and
//! markers stripped, ANSI escapes removed, carriage returns applied, workflow commands
//! (`##[error]`, `::error::`, groups) understood, the step it belongs to tracked. The
//! original 1-based line number travels with every line. [`classify`] scores how
//! error-like a line is, [`env`] reads tool versions, [`mask`] hides variable parts,
//! [`redact`] hides secrets.

pub mod classify;
pub mod env;
pub mod input;
pub mod mask;
mod prefix;
pub mod redact;
mod terminal;

use serde::Serialize;

/// The positions of the bits set in `set`, lowest first.
pub fn set_bits(mut set: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (set != 0).then(|| {
            let i = set.trailing_zeros() as usize;
            set &= set - 1;
            i
        })
    })
}

/// The bit set of `words` that occur in `text`, ignoring ASCII case: what the
/// matcher's automaton pass reports, found the slow way for tests.
#[cfg(test)]
pub fn naive_bits<'a>(words: impl Iterator<Item = &'a str>, text: &str) -> u64 {
    let lower = text.to_ascii_lowercase();
    words
        .enumerate()
        .filter(|(_, w)| lower.contains(&w.to_ascii_lowercase()))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// One line on its own as the matcher shows lines: CI prefixes, markers and escapes
/// stripped, secrets redacted (how labelled key lines are compared).
pub fn shown(line: &str) -> String {
    let mut normalizer = Normalizer::new();
    let text = normalizer
        .line(line.as_bytes(), 1)
        .map(|l| l.text.trim().to_string())
        .unwrap_or_default();
    redact::redact(&text).into_owned()
}

/// The CI system a log comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ci {
    Plain,
    GithubActions,
    Gitlab,
    Jenkins,
    Circleci,
    Buildkite,
}

/// A workflow-command annotation on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    None,
    Error,
    Warning,
}

/// One clean line.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// 1-based line number in the original input (in its file, for zip archives).
    pub number: u64,
    pub text: &'a str,
    pub marker: Marker,
    /// Index into [`Normalizer::steps`].
    pub step: usize,
    /// Inside a `##[group]Run ...` header: the step's script and environment echoed
    /// before it runs, not its output.
    pub echo: bool,
}

/// A step (GitHub step, GitLab section, Jenkins stage, Buildkite group, zip file).
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub name: String,
    /// Original line number of its first line.
    pub first_line: u64,
}

/// Streaming line normaliser; keeps the state that spans lines (steps, CI votes).
pub struct Normalizer {
    steps: Vec<Step>,
    current: usize,
    in_run_group: bool,
    sections: Vec<usize>,
    votes: [u32; 6],
    /// The current line as a terminal shows it; its visible text starts at `visible`
    /// (after a workflow command's head).
    shown: String,
    visible: usize,
    last_timestamp: String,
    /// Times a timestamp went backwards (a sign of interleaved output).
    pub backwards_timestamps: u64,
    /// The step of the last error annotation.
    pub last_error_step: Option<usize>,
    /// A job header was seen (runner version, `Running with gitlab-runner`, `Started by`).
    pub started: bool,
    /// A job end was seen (cleanup, job result, error annotation).
    pub completed: bool,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer::new()
    }
}

impl Normalizer {
    pub fn new() -> Normalizer {
        Normalizer {
            steps: vec![Step {
                name: String::new(),
                first_line: 1,
            }],
            current: 0,
            in_run_group: false,
            sections: Vec::new(),
            votes: [0; 6],
            shown: String::new(),
            visible: 0,
            last_timestamp: String::new(),
            backwards_timestamps: 0,
            last_error_step: None,
            started: false,
            completed: false,
        }
    }

    /// Starts a new input part (a file of a zip archive): a step of its own.
    pub fn start_part(&mut self, step: Option<&str>) {
        if let Some(name) = step {
            self.vote(Ci::GithubActions, 1);
            self.begin_step(name, 1);
        }
    }

    /// The steps seen so far; the first is the unnamed start of the log (named
    /// `Set up job` for GitHub Actions).
    pub fn steps(&self) -> Vec<Step> {
        let mut steps = self.steps.clone();
        if steps[0].name.is_empty() {
            steps[0].name = match self.ci() {
                Ci::GithubActions => "Set up job".to_string(),
                _ => "(start)".to_string(),
            };
        }
        steps
    }

    /// The CI system with the most evidence so far.
    pub fn ci(&self) -> Ci {
        const ORDER: [Ci; 6] = [
            Ci::Plain,
            Ci::GithubActions,
            Ci::Gitlab,
            Ci::Jenkins,
            Ci::Circleci,
            Ci::Buildkite,
        ];
        let (best, votes) = self
            .votes
            .iter()
            .enumerate()
            .max_by_key(|&(i, v)| (*v, std::cmp::Reverse(i)))
            .unwrap_or((0, &0));
        if *votes == 0 { Ci::Plain } else { ORDER[best] }
    }

    fn vote(&mut self, ci: Ci, weight: u32) {
        self.votes[ci as usize] += weight;
    }

    fn begin_step(&mut self, name: &str, line: u64) {
        self.steps.push(Step {
            name: name.trim().chars().take(200).collect(),
            first_line: line,
        });
        self.current = self.steps.len() - 1;
    }

    /// Normalises one raw line; `None` for lines that only carry markers
    /// (`##[endgroup]`, `::add-mask::`, empty section markers).
    pub fn line(&mut self, raw: &[u8], number: u64) -> Option<Line<'_>> {
        let lossy;
        let mut text = match std::str::from_utf8(raw) {
            Ok(valid) => valid,
            Err(_) => {
                lossy = String::from_utf8_lossy(raw);
                &*lossy
            }
        };
        if number == 1 {
            text = text.strip_prefix('\u{feff}').unwrap_or(text);
        }
        let text = self.strip_prefixes(text, number);
        terminal::render(text, &mut self.shown);
        let echo_before = self.in_run_group;
        let marker = self.workflow_command(number)?;
        // Terraform draws its diagnostics in a box: `│ Error: ...`.
        let rest = self.shown[self.visible..].trim_start();
        if let Some(inside) = rest.strip_prefix('│') {
            let inside = inside.strip_prefix(' ').unwrap_or(inside);
            self.visible = self.shown.len() - inside.len();
        }
        self.step_headers(number);
        let echo = echo_before && self.in_run_group;
        if marker == Marker::Error {
            self.last_error_step = Some(self.current);
            self.completed = true;
        }
        Some(Line {
            number,
            text: self.shown[self.visible..].trim_end(),
            marker,
            step: self.current,
            echo,
        })
    }

    /// `text` without its CI prefixes (noting what they tell: step, timestamp, CI).
    fn strip_prefixes<'t>(&mut self, mut text: &'t str, number: u64) -> &'t str {
        if let Some((step, at)) = prefix::gh_cli_fields(text) {
            if self.steps[self.current].name != step {
                self.begin_step(step, number);
            }
            text = &text[at..];
        }
        let ts = prefix::iso_timestamp(text);
        if ts > 0 {
            let stamp = &text[..ts];
            if stamp < self.last_timestamp.as_str() {
                self.backwards_timestamps += 1;
            }
            self.last_timestamp.clear();
            self.last_timestamp.push_str(stamp);
            let gitlab = prefix::gitlab_stream(&text[ts..]);
            if gitlab > 0 {
                self.vote(Ci::Gitlab, 1);
            } else if stamp.len() >= 29 {
                // GitHub writes 7 fraction digits: `2024-01-20T10:00:00.1234567Z `.
                self.vote(Ci::GithubActions, 1);
            }
            text = &text[ts + gitlab..];
        } else {
            let jenkins = prefix::jenkins_timestamp(text);
            if jenkins > 0 {
                self.vote(Ci::Jenkins, 1);
                text = &text[jenkins..];
            }
        }
        // Both markers hold `_`, which most lines lack.
        if memchr::memchr(b'_', text.as_bytes()).is_some() {
            if text.contains("_bk;t=") {
                self.vote(Ci::Buildkite, 3);
            }
            if text.contains("section_") {
                self.gitlab_sections(text, number);
            }
        }
        text
    }

    /// GitLab `section_start:<ts>:<name>[opts]\r\e[0K` / `section_end:<ts>:<name>` markers.
    fn gitlab_sections(&mut self, text: &str, number: u64) {
        for (at, _) in text.match_indices("section_") {
            let rest = &text[at + "section_".len()..];
            let (start, rest) = if let Some(r) = rest.strip_prefix("start:") {
                (true, r)
            } else if let Some(r) = rest.strip_prefix("end:") {
                (false, r)
            } else {
                continue;
            };
            let Some((stamp, rest)) = rest.split_once(':') else {
                continue;
            };
            if stamp.is_empty() || !stamp.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            self.vote(Ci::Gitlab, 3);
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
                .collect();
            if start {
                self.sections.push(self.current);
                self.begin_step(&name, number);
            } else if let Some(parent) = self.sections.pop() {
                self.current = parent;
            }
        }
    }

    /// GitHub/Azure workflow commands at the start of the shown text: sets `visible`
    /// to where the command's message starts (0 for other lines) and returns the
    /// line's marker; `None` for a line that only carries a command.
    fn workflow_command(&mut self, number: u64) -> Option<Marker> {
        let shown = std::mem::take(&mut self.shown);
        let command = self.command_of(&shown, number);
        let visible = match command {
            Some((_, Some(message))) => shown.len() - message.len(),
            _ => 0,
        };
        let marker = command.map(|(marker, _)| marker);
        self.visible = visible;
        self.shown = shown;
        marker
    }

    /// The marker and, for a workflow command, the message it carries (a suffix of
    /// `shown`).
    fn command_of<'s>(&mut self, shown: &'s str, number: u64) -> Option<(Marker, Option<&'s str>)> {
        let shown = shown.trim_start();
        if let Some(rest) = shown.strip_prefix("##[") {
            let (command, message) = rest.split_once(']').unwrap_or((rest, ""));
            self.vote(Ci::GithubActions, 2);
            let (marker, message) = match command {
                "error" => (Marker::Error, message),
                "warning" => (Marker::Warning, message),
                "endgroup" => {
                    self.in_run_group = false;
                    return None;
                }
                "group" => {
                    if message.starts_with("Run ") {
                        self.in_run_group = true;
                        let name = message.to_string();
                        self.begin_step(&name, number);
                    }
                    (Marker::None, message)
                }
                _ => (Marker::None, message),
            };
            return Some((marker, Some(message)));
        }
        if let Some(rest) = shown.strip_prefix("::")
            && let Some((head, message)) = rest.split_once("::")
        {
            let command = head.split([' ', ',']).next().unwrap_or("");
            let marker = match command {
                "error" => Marker::Error,
                "warning" => Marker::Warning,
                "endgroup" | "add-mask" | "stop-commands" => return None,
                "group" | "notice" | "debug" | "set-output" | "save-state" => Marker::None,
                _ => return Some((Marker::None, None)),
            };
            self.vote(Ci::GithubActions, 1);
            return Some((marker, Some(message)));
        }
        Some((Marker::None, None))
    }

    /// Step headers written as ordinary lines by GitHub, Jenkins and Buildkite.
    fn step_headers(&mut self, number: u64) {
        let text = &self.shown[self.visible..];
        let vote = if text.starts_with("[Pipeline] ") {
            if let Some(name) = text
                .strip_prefix("[Pipeline] { (")
                .and_then(|r| r.strip_suffix(')'))
            {
                let name = name.to_string();
                self.begin_step(&name, number);
            }
            Some((Ci::Jenkins, 2))
        } else if text == "Post job cleanup." || text == "Cleaning up orphan processes" {
            let name = if text.starts_with("Post") {
                "Post job cleanup"
            } else {
                "Complete job"
            };
            self.begin_step(name, number);
            self.completed = true;
            Some((Ci::GithubActions, 1))
        } else if text.starts_with("Current runner version:") {
            self.started = true;
            Some((Ci::GithubActions, 3))
        } else if text.starts_with("Running with gitlab-runner") {
            self.started = true;
            Some((Ci::Gitlab, 5))
        } else if text.starts_with("Job succeeded") || text.starts_with("ERROR: Job failed") {
            self.completed = true;
            Some((Ci::Gitlab, 2))
        } else if text.starts_with("gitlab-ci-multi-runner ") {
            self.started = true;
            Some((Ci::Gitlab, 5))
        } else if text.starts_with("Using ") && text.contains(" executor") {
            Some((Ci::Gitlab, 2))
        } else if text.starts_with("ERROR: Build failed") {
            self.completed = true;
            Some((Ci::Gitlab, 2))
        } else if text.starts_with("Error: Process completed with exit code") {
            self.completed = true;
            Some((Ci::GithubActions, 3))
        } else if text.starts_with(" > git ") && text.contains(" # timeout=") {
            Some((Ci::Jenkins, 1))
        } else if text.starts_with("Building in workspace ") || text.starts_with("[WS-CLEANUP]") {
            Some((Ci::Jenkins, 2))
        } else if text.starts_with("Run ") && self.votes.iter().all(|v| *v == 0) {
            // Logs copied from GitHub's web page: `Run <action or command>` headers.
            Some((Ci::GithubActions, 1))
        } else if self.votes.iter().all(|v| *v == 0) && text.contains("/home/runner/work/") {
            Some((Ci::GithubActions, 1))
        } else if text.starts_with("Started by ") {
            self.started = true;
            Some((Ci::Jenkins, 1))
        } else if text.starts_with("Finished: ") {
            self.completed = true;
            Some((Ci::Jenkins, 1))
        } else if text.starts_with("#!/bin/bash -eo pipefail")
            || text.starts_with("Exited with code")
        {
            self.completed |= text.starts_with("Exited");
            Some((Ci::Circleci, 3))
        } else if self.votes[Ci::Buildkite as usize] > 0
            && let Some(name) = ["--- ", "+++ ", "~~~ "]
                .iter()
                .find_map(|p| text.strip_prefix(p))
        {
            let name = name.to_string();
            self.begin_step(&name, number);
            None
        } else {
            None
        };
        if let Some((ci, weight)) = vote {
            self.vote(ci, weight);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(lines: &[&str]) -> (Vec<(u64, String, Marker, String)>, Normalizer) {
        let mut n = Normalizer::new();
        let mut out = Vec::new();
        for (i, raw) in lines.iter().enumerate() {
            if let Some(line) = n.line(raw.as_bytes(), i as u64 + 1) {
                let (num, text, marker, step) =
                    (line.number, line.text.to_string(), line.marker, line.step);
                out.push((num, text, marker, n.steps()[step].name.clone()));
            }
        }
        (out, n)
    }

    #[test]
    fn github_actions_log() {
        let (lines, n) = clean(&[
            "2024-01-20T10:00:00.1234567Z Current runner version: '2.311.0'",
            "2024-01-20T10:00:01.1234567Z ##[group]Run npm test",
            "2024-01-20T10:00:01.1234567Z \x1b[36;1mnpm test\x1b[0m",
            "2024-01-20T10:00:01.1234567Z ##[endgroup]",
            "2024-01-20T10:00:02.1234567Z ##[error]Process completed with exit code 1.",
        ]);
        assert_eq!(n.ci(), Ci::GithubActions);
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].3, "Set up job");
        assert_eq!(
            lines[2],
            (3, "npm test".into(), Marker::None, "Run npm test".into())
        );
        assert_eq!(lines[3].1, "Process completed with exit code 1.");
        assert_eq!(lines[3].2, Marker::Error);
        assert_eq!(n.last_error_step, Some(1));
    }

    #[test]
    fn terraform_box_is_removed() {
        let (lines, _) = clean(&["╷", "│ Error: Error acquiring the state lock", "│ "]);
        assert_eq!(lines[1].1, "Error: Error acquiring the state lock");
        assert_eq!(lines[2].1, "");
    }

    #[test]
    fn error_command_with_file() {
        let (lines, _) = clean(&["::error file=app.js,line=1::Missing semicolon"]);
        assert_eq!(lines[0].1, "Missing semicolon");
        assert_eq!(lines[0].2, Marker::Error);
    }

    #[test]
    fn gitlab_sections() {
        let (lines, n) = clean(&[
            "\x1b[0KRunning with gitlab-runner 16.6.0 (3046fee8)\x1b[0;m",
            "section_start:1700000000:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage\x1b[0;m",
            "$ make",
            "section_end:1700000001:step_script\r\x1b[0K",
            "\x1b[31;1mERROR: Job failed: exit code 1\x1b[0;m",
        ]);
        assert_eq!(n.ci(), Ci::Gitlab);
        assert_eq!(lines[1].1, "Executing \"step_script\" stage");
        assert_eq!(lines[2].3, "step_script");
        assert_eq!(lines[4].3, "(start)");
    }

    #[test]
    fn jenkins_and_buildkite() {
        let (lines, n) = clean(&[
            "[2024-01-20T10:00:00.123Z] [Pipeline] { (Build)",
            "[2024-01-20T10:00:01.123Z] + make",
        ]);
        assert_eq!(n.ci(), Ci::Jenkins);
        assert_eq!(lines[1].1, "+ make");
        assert_eq!(lines[1].3, "Build");
        let (lines, n) = clean(&[
            "\x1b_bk;t=1700000000000\x07~~~ Running tests",
            "\x1b_bk;t=1700000000001\x07ok",
        ]);
        assert_eq!(n.ci(), Ci::Buildkite);
        assert_eq!(lines[1].3, "Running tests");
    }

    #[test]
    fn invalid_utf8_and_timestamps_backwards() {
        let mut n = Normalizer::new();
        let text = n.line(b"caf\xe9 ok", 1).unwrap().text.to_string();
        assert_eq!(text, "caf\u{fffd} ok");
        n.line(b"2024-01-20T10:00:05.0000000Z a", 2);
        n.line(b"2024-01-20T10:00:01.0000000Z b", 3);
        assert_eq!(n.backwards_timestamps, 1);
    }
}
