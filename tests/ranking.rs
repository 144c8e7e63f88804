//! Ranking rules met in imported catalogs, each on real log excerpts (verbatim, source
//! URL beside each or in tests/eval-deadends/cases.json) with fixture entries in the
//! style of a machine-written catalog, loaded beside the bundled catalog (whose
//! signatures give words their weights):
//! - loose patterns (tests/fixtures/loose): a pattern that requires only a common
//!   phrase (`not found`) is evidence only as far as the line resembles the entry's
//!   signature; two entries share `(?i)(NOT_FOUND|not found)`, one with a generic
//!   signature, one naming the gRPC exception;
//! - messages split over two lines, loose entries covering a specific one's lines, and
//!   wrapper lines (tests/fixtures/imported-style).

use logdoc::catalog;
use logdoc::matcher::{Matcher, Options, Report};
use std::path::Path;

/// Diagnoses `log` with the bundled catalog plus the fixture entries of
/// `tests/fixtures/<fixtures>`.
fn diagnose_with(fixtures: &str, log: &str) -> Report {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixtures = root.join("tests/fixtures").join(fixtures);
    let loaded = catalog::load(&[root.join("catalog"), fixtures.clone()]);
    assert!(
        loaded.catalog.entries().len()
            > catalog::load(&[root.join("catalog")])
                .catalog
                .entries()
                .len(),
        "fixture entries of {} not loaded",
        fixtures.display()
    );
    let options = Options {
        top: 10,
        ..Options::default()
    };
    Matcher::new(&loaded.catalog).diagnose_text("log", log, &options)
}

/// Diagnoses case `case` of tests/eval-deadends with the imported-style fixtures.
fn diagnose_case(case: &str) -> Report {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join(format!("tests/eval-deadends/cases/{case}.log"));
    let log = std::fs::read_to_string(&path).expect("case log");
    diagnose_with("imported-style", &log)
}

fn position(r: &Report, id: &str) -> Option<usize> {
    r.diagnoses.iter().position(|d| d.id == id)
}

fn ids(r: &Report) -> Vec<(&str, f64)> {
    r.diagnoses
        .iter()
        .map(|d| (d.id.as_str(), d.confidence))
        .collect()
}

/// actions/setup-python cannot find a Python build: "not found" on the log's main error
/// line, but nothing like either signature. Both loose entries must stay silent.
#[test]
fn common_phrase_on_an_unrelated_line_abstains() {
    // https://github.com/actions/setup-python/issues/162
    let log = "Error: Version 3.10.0 with arch x64 not found\n\
        The list of all available versions can be found here: \
        https://raw.githubusercontent.com/actions/python-versions/main/versions-manifest.json\n";
    let r = diagnose_with("loose", log);
    assert!(
        r.diagnoses.is_empty(),
        "expected no diagnosis, got {:?}",
        ids(&r)
    );
}

/// A Java test's gRPC call answered NOT_FOUND: the line names the exception of the
/// gRPC entry's signature, so the same loose pattern still diagnoses it.
#[test]
fn loose_pattern_on_a_line_like_the_signature_still_diagnoses() {
    // https://github.com/GoogleCloudPlatform/java-docs-samples/issues/2711
    let log = "\t\tat org.apache.maven.surefire.booter.ForkedBooter.main(ForkedBooter.java:451)\n\
        Caused by: io.grpc.StatusRuntimeException: NOT_FOUND: Job with name projects/java-docs-samples-testing/tenants/50c14f00-dc38-4812-989b-d9b59c7fdf07/jobs/122880074199245510 not found. Request ID for tracking: 78f554dc-4217-4e25-80ff-1e10a0b0f62b:APAb7ISX8BbgV5xjJryln1w3riWQEfBTKw==\n\
        \tat io.grpc.Status.asRuntimeException(Status.java:533)\n\
        \t... 16 more\n";
    let r = diagnose_with("loose", log);
    let top = r.diagnoses.first().expect("a diagnosis");
    assert_eq!(top.id, "grpc/status-not-found", "got {:?}", ids(&r));
    assert_eq!(top.evidence[0].line, 2);
}

/// npm prints `Could not resolve dependency:` and the peer it concerns on the next
/// line; a pattern written for one line matches the two read as one, and the
/// evidence shows both lines.
#[test]
fn a_header_and_its_next_line_match_as_one_statement() {
    let r = diagnose_case("d016");
    let d = r
        .diagnoses
        .iter()
        .find(|d| d.id == "npm/peer-range-conflict")
        .unwrap_or_else(|| panic!("split message not matched: {:?}", ids(&r)));
    let lines: Vec<u64> = d.evidence.iter().map(|e| e.line).collect();
    assert_eq!(lines, [9, 10], "{d:?}");
    assert!(d.why.contains("confirmed by line 10"), "{}", d.why);
}

/// The loose `Could not resolve` entry matches line 9 and two more lines; covering
/// the specific entry's line does not make it more likely than the specific entry.
#[test]
fn a_loose_entry_is_not_credited_for_covering_a_specific_one() {
    let r = diagnose_case("d016");
    let specific = position(&r, "npm/peer-range-conflict");
    let loose = position(&r, "deps/resolve-failed");
    assert!(specific.is_some(), "{:?}", ids(&r));
    assert!(
        loose.is_none() || loose > specific,
        "loose entry ranked first: {:?}",
        ids(&r)
    );
}

/// Gradle's `FAILURE: Build failed with an exception.` only says the build failed;
/// the cause under `What went wrong` ranks first, and an entry resting only on the
/// wrapper line is not reported at all while a better line exists.
#[test]
fn a_wrapper_line_entry_ranks_below_the_cause() {
    let r = diagnose_case("d008");
    assert_eq!(
        r.diagnoses.first().map(|d| d.id.as_str()),
        Some("android/sdk-licence-not-accepted"),
        "{:?}",
        ids(&r)
    );
    assert_eq!(position(&r, "gradle/build-failed"), None, "{:?}", ids(&r));
}

/// The same log cut after the wrapper line (its first 7 lines): nothing better says
/// what failed, so the wrapper's entry is reported.
#[test]
fn a_wrapper_line_entry_is_reported_when_nothing_better_is_there() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let log = std::fs::read_to_string(root.join("tests/eval-deadends/cases/d008.log")).unwrap();
    let head: String = log.lines().take(7).map(|l| format!("{l}\n")).collect();
    assert!(head.ends_with("FAILURE: Build failed with an exception.\n"));
    let r = diagnose_with("imported-style", &head);
    assert_eq!(
        r.diagnoses.first().map(|d| d.id.as_str()),
        Some("gradle/build-failed"),
        "{:?}",
        ids(&r)
    );
}
