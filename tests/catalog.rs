//! The catalog loader and `logdoc check`: the good fixture loads, every broken fixture
//! fails with exactly the expected `path:line: message`, and the bundled catalog is clean.

use logdoc::catalog;
use std::path::Path;
use std::process::Command;

fn logdoc() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_logdoc"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

#[test]
fn good_fixture_loads_with_translation() {
    let loaded = catalog::load(&["tests/fixtures/catalog/good"]);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let entry = loaded
        .catalog
        .get("demo/widget-exploded")
        .expect("entry loads");
    assert_eq!(entry.meta.fix_rate, 0.8);
    assert_eq!(entry.meta.first_seen.as_str(), "2024-01-20");
    assert_eq!(entry.meta.patterns.len(), 2);
    assert_eq!(entry.meta.patterns[1].near_after, 3);
    assert!(entry.body.starts_with("## What happens"));
    let zh = &entry.translations["zh"];
    assert_eq!(
        zh.meta.fixes["remove-gear"].action.as_deref(),
        Some("从 widget.toml 删除齿轮 {gear}")
    );
    assert!(zh.body.contains("齿轮"));
}

#[test]
fn every_broken_fixture_reports_the_expected_problems() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalog/broken");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 15,
        "expected the broken fixtures, found {}",
        cases.len()
    );
    for dir in cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let rel = format!("tests/fixtures/catalog/broken/{name}/");
        let out = logdoc().args(["check", &rel]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}: check must fail");
        let expected = std::fs::read_to_string(root.join(format!("{name}.expected"))).unwrap();
        assert!(!expected.trim().is_empty(), "{name}: empty expectation");
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{name}");
    }
}

#[test]
fn missing_directory_and_duplicates_fail() {
    let out = logdoc()
        .args(["check", "tests/fixtures/catalog/no-such-dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "tests/fixtures/catalog/no-such-dir: catalog directory does not exist\n"
    );
    let good = "tests/fixtures/catalog/good";
    let out = logdoc().args(["check", good, good]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(":1: duplicate id `demo/widget-exploded`")
    );
}

#[test]
fn good_fixture_passes_check() {
    let out = logdoc()
        .args(["check", "tests/fixtures/catalog/good"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn bundled_catalog_passes_check() {
    let out = logdoc().args(["check", "catalog"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "logdoc check catalog:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn unbuilt_subcommands_say_so() {
    let out = logdoc().arg("build-site").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not built yet"));
}
