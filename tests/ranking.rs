//! Ranking rules met in imported catalogs: messages split over two lines, loose
//! patterns that match more lines than a specific one, and wrapper lines. Fixture
//! entries in the style of an imported catalog (tests/fixtures/imported-style) are
//! loaded beside the bundled catalog. The logs are real excerpts of the labelled set
//! tests/eval-deadends (verbatim; sources in its cases.json).

use logdoc::catalog;
use logdoc::matcher::{Matcher, Options, Report};
use std::path::Path;

fn diagnose(case: &str) -> Report {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = catalog::load(&[
        root.join("catalog"),
        root.join("tests/fixtures/imported-style"),
    ]);
    assert!(
        loaded
            .catalog
            .entries()
            .iter()
            .any(|e| e.meta.id == "npm/peer-range-conflict"),
        "fixture entries not loaded"
    );
    let path = root.join(format!("tests/eval-deadends/cases/{case}.log"));
    let log = std::fs::read_to_string(&path).expect("case log");
    let options = Options {
        top: 10,
        ..Options::default()
    };
    Matcher::new(&loaded.catalog).diagnose_text(case, &log, &options)
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

/// npm prints `Could not resolve dependency:` and the peer it concerns on the next
/// line; a pattern written for one line matches the two read as one, and the
/// evidence shows both lines.
#[test]
fn a_header_and_its_next_line_match_as_one_statement() {
    let r = diagnose("d016");
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
    let r = diagnose("d016");
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
/// the cause under `What went wrong` ranks first.
#[test]
fn a_wrapper_line_entry_ranks_below_the_cause() {
    let r = diagnose("d008");
    assert_eq!(
        r.diagnoses.first().map(|d| d.id.as_str()),
        Some("android/sdk-licence-not-accepted"),
        "{:?}",
        ids(&r)
    );
}
