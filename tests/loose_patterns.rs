//! Loose patterns: a pattern that requires only a common phrase (`not found`) is
//! evidence for its entry only as far as the matched line resembles the entry's
//! signature. Two fixture entries (tests/fixtures/loose) share the loose pattern
//! `(?i)(NOT_FOUND|not found)`: one with a generic signature, one naming the gRPC
//! exception. They are loaded beside the bundled catalog, whose signatures give the
//! words their weights. The logs are real excerpts, verbatim, source URL beside each.

use logdoc::catalog;
use logdoc::matcher::{Matcher, Options, Report};
use std::path::Path;

fn diagnose(log: &str) -> Report {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = catalog::load(&[root.join("catalog"), root.join("tests/fixtures/loose")]);
    assert!(
        loaded
            .catalog
            .entries()
            .iter()
            .any(|e| e.meta.id == "api/not-found"),
        "fixture entries not loaded"
    );
    Matcher::new(&loaded.catalog).diagnose_text("log", log, &Options::default())
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
    let r = diagnose(log);
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
    let r = diagnose(log);
    let top = r.diagnoses.first().expect("a diagnosis");
    assert_eq!(top.id, "grpc/status-not-found", "got {:?}", ids(&r));
    assert_eq!(top.evidence[0].line, 2);
}
