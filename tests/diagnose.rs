//! `logdoc diagnose`: the CLI and JSON contract of DESIGN, input forms (stdin, gzip,
//! zip archives), baseline, languages, and no panic on any input.

mod common;

use flate2::{Compression, write::GzEncoder};
use logdoc::catalog;
use logdoc::matcher::{Matcher, Options};
use proptest::prelude::*;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const CATALOG: &str = "tests/fixtures/catalog/good";

use common::WIDGET_LOG as LOG;

fn logdoc(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    logdoc_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, stdin)
}

/// `logdoc args` run in `dir`, with `stdin`: exit code, stdout, stderr.
fn logdoc_in(dir: &Path, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_logdoc"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str], stdin: &[u8]) -> Value {
    let (code, out, err) = logdoc(args, stdin);
    assert_eq!(code, 0, "stderr: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn json_contract_from_stdin() {
    let v = json(
        &["diagnose", "--catalog", CATALOG, "--format", "json", "-"],
        LOG.as_bytes(),
    );
    assert_eq!(v["file"], "-");
    let d = &v["diagnoses"][0];
    assert_eq!(d["id"], "demo/widget-exploded");
    assert_eq!(d["title"], "Widget tool: the widget exploded");
    let confidence = d["confidence"].as_f64().unwrap();
    assert!((0.5..=1.0).contains(&confidence), "{confidence}");
    // Evidence: original line numbers, clean text, the gear line confirmed by `near`.
    let evidence = d["evidence"].as_array().unwrap();
    assert!(
        evidence
            .iter()
            .any(|e| e["line"] == 6 && e["text"] == "fatal: widget exploded (code 42)")
    );
    assert!(evidence.iter().any(|e| e["line"] == 5));
    assert_eq!(d["captures"]["code"], "42");
    assert_eq!(d["captures"]["gear"], "sprocket");
    assert_eq!(
        d["fixes"][0]["action"],
        "Remove gear sprocket from widget.toml"
    );
    assert_eq!(d["dead_ends"][0]["fail_rate"], 1.0);
    assert_eq!(v["ci"], "github-actions");
    assert_eq!(v["failing_step"], "Run widget build");
    assert_eq!(v["environment"]["runner"], "2.311.0");
    assert!(v["warnings"].as_array().unwrap().is_empty());
    // The wrapper line is an error line but ranks below the cause.
    let lines = v["error_lines"].as_array().unwrap();
    assert_eq!(lines[0]["line"], 6);
}

#[test]
fn abstains_with_error_lines_when_nothing_is_known() {
    let log = "Run tests\nFAILED tests/test_x.py::test_add - assert 1 == 2\nError: Process completed with exit code 1.\n";
    let v = json(
        &["diagnose", "--catalog", CATALOG, "--format", "json", "-"],
        log.as_bytes(),
    );
    assert_eq!(v["diagnoses"].as_array().unwrap().len(), 0);
    assert_eq!(v["error_lines"][0]["line"], 2);
    // In text, the lines are listed; a log without any says so instead of an empty list.
    let (code, out, _) = logdoc(&["diagnose", "--catalog", CATALOG, "-"], log.as_bytes());
    assert_eq!(code, 0);
    assert!(
        out.contains("Most error-like lines:\n       2 | FAILED tests/test_x.py"),
        "{out}"
    );
    let (code, out, _) = logdoc(&["diagnose", "--catalog", CATALOG, "-"], b"all good\n");
    assert_eq!(code, 0);
    assert!(out.contains("no line looks like an error"), "{out}");
    assert!(!out.contains("Most error-like lines"), "{out}");
}

#[test]
fn gzip_and_zip_archives() {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(LOG.as_bytes()).unwrap();
    let v = json(
        &["diagnose", "--catalog", CATALOG, "--format", "json", "-"],
        &gz.finish().unwrap(),
    );
    assert_eq!(v["diagnoses"][0]["id"], "demo/widget-exploded");

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("build/1_Set up job.txt", opts).unwrap();
    zip.write_all(b"2024-01-20T10:00:00.1234567Z Current runner version: '2.311.0'\n")
        .unwrap();
    zip.start_file("build/2_Run widget build.txt", opts)
        .unwrap();
    zip.write_all(b"2024-01-20T10:00:00.1234567Z ok\n2024-01-20T10:00:01.1234567Z ##[error]fatal: widget exploded (code 7)\n")
        .unwrap();
    zip.start_file("1_build.txt", opts).unwrap();
    zip.write_all(b"whole job log, duplicated by the step files\n")
        .unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let v = json(
        &["diagnose", "--catalog", CATALOG, "--format", "json", "-"],
        &bytes,
    );
    let e = &v["diagnoses"][0]["evidence"][0];
    assert_eq!(e["line"], 2);
    assert_eq!(e["step"], "Run widget build");
    assert_eq!(v["failing_step"], "Run widget build");
}

#[test]
fn several_files_as_jsonl_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.log");
    std::fs::write(&a, LOG).unwrap();
    let a = a.to_str().unwrap();
    let (code, out, _) = logdoc(
        &["diagnose", "--catalog", CATALOG, "--format", "jsonl", a, a],
        b"",
    );
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 2);
    for line in out.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["file"], a);
    }
    let (code, _, err) = logdoc(&["diagnose", "--catalog", CATALOG, "/no/such.log"], b"");
    assert_eq!(code, 2);
    assert!(err.contains("cannot open /no/such.log"), "{err}");
    let (code, _, err) = logdoc(&["diagnose", "--catalog", "/no/catalog", a], b"");
    assert_eq!(code, 2);
    assert!(
        err.contains("catalog directory /no/catalog does not exist"),
        "{err}"
    );
    let (code, _, err) = logdoc(&["diagnose", "--catalog", CATALOG, "--lang", "xx", a], b"");
    assert_eq!(code, 2);
    assert!(err.contains("unknown language"), "{err}");
}

#[test]
fn default_catalog_is_found_from_any_directory() {
    // Run where there is no `catalog/`: the bundled catalog is still the default.
    let elsewhere = tempfile::tempdir().unwrap();
    let log = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/gha-npm-publish-scoped-e404.log"
    );
    let (code, out, err) = logdoc_in(
        elsewhere.path(),
        &["diagnose", "--format", "json", log],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnoses"][0]["id"], "node/npm-e404-not-in-registry");
    // A directory named on purpose must exist.
    let (code, _, err) = logdoc_in(
        elsewhere.path(),
        &["diagnose", "--catalog", "mine", log],
        b"",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("catalog directory mine does not exist"),
        "{err}"
    );
}

#[test]
fn text_and_markdown_and_language() {
    let (code, out, _) = logdoc(&["diagnose", "--catalog", CATALOG, "-"], LOG.as_bytes());
    assert_eq!(code, 0);
    assert!(
        out.contains("Widget tool: the widget exploded  [demo/widget-exploded]"),
        "{out}"
    );
    assert!(
        out.contains("     6 | fatal: widget exploded (code 42)"),
        "{out}"
    );
    assert!(
        out.contains("[ 90%] Remove gear sprocket from widget.toml"),
        "{out}"
    );
    assert!(out.contains("[100% fail] Re-run the job"), "{out}");
    let (_, md, _) = logdoc(
        &["diagnose", "--catalog", CATALOG, "--format", "md", "-"],
        LOG.as_bytes(),
    );
    assert!(
        md.contains("### Widget tool: the widget exploded (`demo/widget-exploded`)"),
        "{md}"
    );
    let v = json(
        &[
            "diagnose",
            "--catalog",
            CATALOG,
            "--format",
            "json",
            "--lang",
            "zh",
            "-",
        ],
        LOG.as_bytes(),
    );
    assert_eq!(v["diagnoses"][0]["title"], "Widget 工具：widget 爆炸");
    assert_eq!(
        v["diagnoses"][0]["fixes"][0]["action"],
        "从 widget.toml 删除齿轮 sprocket"
    );
    // Not translated: falls back to English.
    assert_eq!(
        v["diagnoses"][0]["dead_ends"][0]["action"],
        "Re-run the job"
    );
}

#[test]
fn baseline_lines_count_as_noise() {
    let dir = tempfile::tempdir().unwrap();
    let passing = dir.path().join("pass.log");
    // The same failure line (with another code) occurs in the passing run: noise.
    std::fs::write(&passing, "fatal: widget exploded (code 1)\n").unwrap();
    let log = "fatal: widget exploded (code 2)\n";
    let plain = json(
        &["diagnose", "--catalog", CATALOG, "--format", "json", "-"],
        log.as_bytes(),
    );
    let with = json(
        &[
            "diagnose",
            "--catalog",
            CATALOG,
            "--format",
            "json",
            "--baseline",
            passing.to_str().unwrap(),
            "-",
        ],
        log.as_bytes(),
    );
    assert_eq!(plain["diagnoses"].as_array().unwrap().len(), 1);
    assert!(with["diagnoses"].as_array().unwrap().is_empty(), "{with}");
}

#[test]
fn secrets_are_redacted_in_evidence() {
    let log = "fatal: widget exploded (code 42) token=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\n";
    let v = json(
        &["diagnose", "--catalog", CATALOG, "--format", "json", "-"],
        log.as_bytes(),
    );
    let text = v["diagnoses"][0]["evidence"][0]["text"].as_str().unwrap();
    assert!(!text.contains("ghp_0123"), "{text}");
    assert!(text.contains("[REDACTED]"), "{text}");
}

#[test]
fn truncated_and_long_lines_are_flagged() {
    let long = format!("{}\nfatal: widget exploded (code 1)\n", "x".repeat(200_000));
    let v = json(
        &["diagnose", "--catalog", CATALOG, "--format", "json", "-"],
        long.as_bytes(),
    );
    assert!(
        v["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("long lines: 1 lines"),
        "{v}"
    );
    let cut = "Current runner version: '2.311.0'\n##[group]Run widget build\nfatal: widget exploded (code 1)\n";
    let v = json(
        &["diagnose", "--catalog", CATALOG, "--format", "json", "-"],
        cut.as_bytes(),
    );
    assert!(
        v["warnings"][0].as_str().unwrap().starts_with("truncated"),
        "{v}"
    );
    let c = v["diagnoses"][0]["confidence"].as_f64().unwrap();
    let full = json(
        &["diagnose", "--catalog", CATALOG, "--format", "json", "-"],
        LOG.as_bytes(),
    );
    assert!(c < full["diagnoses"][0]["confidence"].as_f64().unwrap());
}

static MATCHER: std::sync::LazyLock<Matcher> = std::sync::LazyLock::new(|| {
    let loaded = catalog::load(&[concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/catalog/good"
    )]);
    Matcher::new(&loaded.catalog)
});

fn fixture_matcher() -> &'static Matcher {
    &MATCHER
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let m = fixture_matcher();
        let _ = m.diagnose("fuzz", std::io::Cursor::new(bytes), &Options::default());
    }

    #[test]
    fn never_panics_on_log_like_text(lines in proptest::collection::vec(
        "(2024-01-20T10:00:0[0-9]\\.1234567Z |\\[2024-01-20T10:00:00Z\\] |section_(start|end):[0-9]{1,3}:[a-z_]{0,5}\r\x1b\\[0K|##\\[(error|group|endgroup|warning)\\]|::error file=a::|\x1b\\[3[0-9]m|\r|\x1b|_bk;t=1\x07)*[ -~éø中]{0,40}(fatal: widget exploded \\(code [0-9]\\))?", 0..40)) {
        let m = fixture_matcher();
        let text = lines.join("\n");
        let report = m.diagnose_text("fuzz", &text, &Options::default());
        for d in &report.diagnoses {
            prop_assert!((0.0..=1.0).contains(&d.confidence));
            for e in &d.evidence {
                prop_assert!(e.line >= 1 && e.line as usize <= lines.len().max(1));
            }
        }
    }
}
