//! Golden tests: real CI log excerpts (tests/golden/*.log, verbatim, source URL in the
//! `.expect.toml` beside each) must diagnose as labelled — the right entry first,
//! citing the key line, or an abstention whose first error line is the key line. Each
//! log runs three ways (streamed from the file, from memory, gzip-compressed) and all
//! must agree.

use flate2::{Compression, write::GzEncoder};
use logdoc::catalog;
use logdoc::matcher::{Matcher, Options, Report};
use serde::Deserialize;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    source: String,
    #[serde(default)]
    ci: Option<String>,
    #[serde(default)]
    top: Option<String>,
    #[serde(default)]
    abstain: bool,
    #[serde(default)]
    also: Vec<String>,
    key_line: u64,
    /// Other lines stating the same failure in other words (e.g. the test runner's
    /// assertion message beside its FAIL line).
    #[serde(default)]
    key_line_also: Vec<u64>,
    #[serde(default)]
    note: String,
}

fn golden_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".expect.toml"))
        .collect();
    files.sort();
    files
}

fn signature(r: &Report) -> Vec<(String, Vec<u64>)> {
    r.diagnoses
        .iter()
        .map(|d| (d.id.clone(), d.evidence.iter().map(|e| e.line).collect()))
        .collect()
}

/// Checks one golden log; returns what is wrong.
fn check(m: &Matcher, expect_path: &Path) -> Vec<String> {
    let name = expect_path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .replace(".expect.toml", "");
    let expect: Expect = toml::from_str(&std::fs::read_to_string(expect_path).unwrap())
        .unwrap_or_else(|e| panic!("{name}: bad expectation: {e}"));
    assert!(
        expect.source.starts_with("https://"),
        "{name}: source URL missing"
    );
    assert!(
        expect.top.is_some() != expect.abstain,
        "{name}: set exactly one of top / abstain"
    );
    let _ = &expect.note;
    let log_path = expect_path.with_file_name(format!("{name}.log"));
    let bytes = std::fs::read(&log_path).unwrap();
    let options = Options::default();

    let streamed = m
        .diagnose(&name, std::fs::File::open(&log_path).unwrap(), &options)
        .unwrap();
    let whole = m
        .diagnose(&name, std::io::Cursor::new(bytes.clone()), &options)
        .unwrap();
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(&bytes).unwrap();
    let gzipped = m
        .diagnose(&name, std::io::Cursor::new(gz.finish().unwrap()), &options)
        .unwrap();

    let mut wrong = Vec::new();
    if signature(&streamed) != signature(&whole) || signature(&whole) != signature(&gzipped) {
        wrong.push(format!("{name}: streamed, whole and gzip runs disagree"));
    }
    let r = &streamed;
    let got: Vec<String> = r
        .diagnoses
        .iter()
        .map(|d| format!("{} {:.2}", d.id, d.confidence))
        .collect();
    if let Some(top) = &expect.top {
        match r.diagnoses.first() {
            Some(d) if &d.id == top => {
                if !d.evidence.iter().any(|e| e.line == expect.key_line) {
                    let lines: Vec<u64> = d.evidence.iter().map(|e| e.line).collect();
                    wrong.push(format!(
                        "{name}: {top} cites lines {lines:?}, not key line {}",
                        expect.key_line
                    ));
                }
            }
            _ => wrong.push(format!("{name}: expected {top} first, got {got:?}")),
        }
    } else {
        if !r.diagnoses.is_empty() {
            wrong.push(format!("{name}: expected to abstain, got {got:?}"));
        }
        // The key line, or a later line stating the same (a `##[error]` annotation
        // repeating the message), must come first.
        let keys: Vec<u64> = std::iter::once(expect.key_line)
            .chain(expect.key_line_also.iter().copied())
            .collect();
        let key_texts: Vec<String> = keys
            .iter()
            .filter_map(|&n| key_line_text(&bytes, n))
            .collect();
        let first = r.error_lines.first();
        if !first
            .is_some_and(|l| keys.contains(&l.line) || key_texts.iter().any(|k| k == l.text.trim()))
        {
            let first = r.error_lines.first().map(|l| (l.line, l.text.clone()));
            wrong.push(format!(
                "{name}: first error line {first:?}, key line is {}",
                expect.key_line
            ));
        }
    }
    for id in &expect.also {
        if !r.diagnoses.iter().any(|d| &d.id == id) {
            wrong.push(format!("{name}: expected {id} among {got:?}"));
        }
    }
    if let Some(ci) = &expect.ci {
        let actual = serde_json::to_value(r.ci).unwrap();
        if actual != ci.as_str() {
            wrong.push(format!("{name}: ci {actual}, expected {ci}"));
        }
    }
    wrong
}

/// The clean text of line `n` of a log, as the matcher shows it.
fn key_line_text(bytes: &[u8], n: u64) -> Option<String> {
    let raw = bytes.split(|&b| b == b'\n').nth(n as usize - 1)?;
    Some(logdoc::logtext::shown(&String::from_utf8_lossy(raw)))
}

#[test]
fn golden_logs_diagnose_as_labelled() {
    let loaded = catalog::load(&[concat!(env!("CARGO_MANIFEST_DIR"), "/catalog")]);
    let m = Matcher::new(&loaded.catalog);
    let files = golden_files();
    assert!(
        files.len() >= 20,
        "expected the golden logs, found {}",
        files.len()
    );
    let wrong: Vec<String> = files.iter().flat_map(|f| check(&m, f)).collect();
    assert!(
        wrong.is_empty(),
        "{} of {} golden logs wrong:\n{}",
        wrong.len(),
        files.len(),
        wrong.join("\n")
    );
}
