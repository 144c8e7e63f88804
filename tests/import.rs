//! `logdoc import` and `logdoc export`: the real binary on fixtures and on the
//! deadends.dev data set (skipped when `../shared/data/deadends` is absent).

use logdoc::catalog::{self, Catalog, RateSource};
use logdoc::import::{NoteKind, deadends, errorcanon};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn logdoc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_logdoc"))
        .args(args)
        .output()
        .expect("run logdoc")
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(rel)
}

fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Loads a catalog directory, asserting it has no problems at all.
fn load_clean(dir: &Path) -> Catalog {
    let loaded = catalog::load(&[dir]);
    let problems: Vec<String> = loaded.problems.iter().map(|p| p.to_string()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    loaded.catalog
}

fn extra(entry: &catalog::Entry) -> Value {
    let imported = entry
        .meta
        .provenance
        .imported_from
        .as_ref()
        .expect("imported_from");
    serde_json::from_str(&imported.extra).expect("extra is JSON")
}

/// Every file below `dir`, relative path -> bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for child in std::fs::read_dir(&d).unwrap() {
            let path = child.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_path_buf();
                files.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn broken_files_are_listed_and_the_rest_imported() {
    let out = tempfile::tempdir().unwrap();
    let src = fixture("deadends");
    let run = logdoc(&["import", "deadends", s(&src), "--out", s(out.path())]);
    let text = stdout(&run);
    assert_eq!(run.status.code(), Some(1), "{text}");

    let broken = src.join("demo/broken-json/tool1-linux.json");
    let missing = src.join("demo/missing-fields/tool1-linux.json");
    let line_of = |path: &Path| {
        let prefix = format!("skipped {}: ", path.display());
        text.lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no skip line for {}:\n{text}", path.display()))
            .to_string()
    };
    assert!(
        line_of(&broken).contains("invalid JSON: EOF while parsing"),
        "{text}"
    );
    assert!(
        line_of(&missing).contains("not a deadends.dev canon: missing field `signature`"),
        "{text}"
    );
    assert!(
        text.contains(
            "files read: 5, imported: 3, skipped: 2; regexes translated: 1, failed: 1, \
             not matching their signature: 1; ids mapped: 0"
        ),
        "{text}"
    );

    let catalog = load_clean(out.path());
    assert_eq!(catalog.len(), 3);
    let check = logdoc(&["check", s(out.path())]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
}

#[test]
fn deadends_fields_map_to_the_entry() {
    let import = deadends::convert(&fixture("deadends"), &mut |_, _| {}).unwrap();
    let out = tempfile::tempdir().unwrap();
    logdoc::import::write(out.path(), &import.files).unwrap();
    let catalog = load_clean(out.path());

    // The dotted env segment is kept: the id is the source id, the file mirrors it.
    let id = "demo/widget-timeout/tool1.2-linux";
    let entry = catalog.get(id).expect("source id kept");
    assert!(
        out.path()
            .join("demo/widget-timeout/tool1.2-linux.md")
            .is_file()
    );
    let m = &entry.meta;
    assert_eq!(m.signature, "WidgetError: request timed out after 30s");
    assert_eq!(m.examples[0].log, m.signature);
    assert_eq!(
        m.patterns[0].regex,
        r"(?i)WidgetError: request timed out after \d+s\z"
    );
    assert_eq!(
        (m.domain.as_str(), m.category.as_str()),
        ("demo", "timeout_error")
    );
    assert_eq!(m.tags, ["linux"]);
    assert_eq!(
        m.root_cause,
        "The widget server did not answer within the client timeout."
    );
    assert_eq!(m.root_cause_type, "generic");
    assert_eq!(m.resolvable, "partial");
    assert_eq!((m.fix_rate, m.confidence, m.evidence_count), (0.7, 0.6, 4));
    assert_eq!(m.first_seen.as_str(), "2023-05-01");
    assert_eq!(m.last_confirmed.as_ref().unwrap().as_str(), "2025-01-15");

    let v = &m.versions[0];
    assert_eq!(
        (v.product.as_str(), v.version.as_str()),
        ("widget", ">=1.2,<2.0")
    );
    assert_eq!(
        (v.status.as_str(), v.notes.as_str()),
        ("active", "os: linux")
    );
    assert_eq!(v.requires.as_deref(), Some("widget >=1.2 <2.0"));

    let fix = &m.fixes[0];
    assert_eq!(
        (fix.id.as_str(), fix.action.as_str()),
        ("fix-1", "Raise the client timeout")
    );
    assert_eq!(
        (fix.how.as_str(), fix.success_rate),
        ("widget --timeout 120", 0.75)
    );
    assert_eq!(fix.condition, "When the server is slow but healthy");
    assert_eq!(fix.rate_source, RateSource::Imported);
    assert_eq!(m.fixes[1].id, "fix-2");
    let dead = &m.dead_ends[0];
    assert_eq!((dead.id.as_str(), dead.fail_rate), ("dead-end-1", 0.9));
    assert_eq!(
        dead.why,
        "The server is overloaded; more requests make it slower."
    );
    assert_eq!(dead.rate_source, RateSource::Imported);

    // Relations only to imported entries; the rest verbatim in `extra`.
    let r = &m.related;
    assert_eq!(r.leads_to, ["demo/widget-crash/tool1-linux"]);
    assert_eq!(r.preceded_by, ["demo/widget-leak/tool1-macos"]);
    assert_eq!(r.confused_with.len(), 1);
    assert_eq!(r.confused_with[0].id, "demo/widget-crash/tool1-linux");

    let p = &m.provenance;
    assert!(!p.ai_generated && !p.reviewed, "generated_by `manual`");
    assert_eq!(
        p.sources,
        [
            "https://example.com/widget/docs/timeouts",
            "https://example.com/widget/issues/1"
        ]
    );
    let from = p.imported_from.as_ref().unwrap();
    assert_eq!(from.source, "deadends");
    assert_eq!(from.source_id, "demo/widget-timeout/tool1.2-linux");
    assert_eq!(
        from.url,
        "https://deadends.dev/demo/widget-timeout/tool1.2-linux"
    );
    assert_eq!(
        (from.license.as_str(), from.review_status.as_str()),
        ("CC-BY-4.0", "human_reviewed")
    );

    let x = extra(entry);
    assert_eq!(x["schema_version"], "1.0.0");
    assert_eq!(
        x["error"]["regex"],
        r"WidgetError: request timed out(?= after) after \d+s\Z"
    );
    assert_eq!(x["environment"]["additional"]["architecture"], "x86_64");
    assert_eq!(x["verdict"]["last_updated"], "2025-01-15");
    assert_eq!(
        x["dead_ends"]["dead-end-1"]["common_misconception"],
        "Timeouts are always transient."
    );
    assert_eq!(
        x["workarounds"]["fix-1"]["tradeoff"],
        "Failures take longer to show."
    );
    assert_eq!(x["metadata"]["generated_by"], "manual");
    let graph = &x["transition_graph"];
    assert_eq!(graph["leads_to"][0]["probability"], 0.3);
    assert_eq!(
        graph["frequently_confused_with"][0]["error_id"],
        "demo/not-imported/tool1-linux"
    );
    assert!(graph.get("preceded_by").is_none(), "fully mapped: {graph}");

    // A regex without a Rust equivalent, and one that misses its signature.
    let crash = &catalog.get("demo/widget-crash/tool1-linux").unwrap().meta;
    assert_eq!(
        crash.patterns[0].regex,
        r"(?i)WidgetError: worker 'main' crashed"
    );
    assert!(crash.provenance.ai_generated);
    // Missing its signature, the source regex is kept first and the signature's
    // pattern is added.
    let leak = &catalog.get("demo/widget-leak/tool1-macos").unwrap().meta;
    let regexes: Vec<&str> = leak.patterns.iter().map(|p| p.regex.as_str()).collect();
    assert_eq!(
        regexes,
        [
            "(?i)handle leak detected",
            r"(?i)WidgetWarning: 12 handles leaked"
        ]
    );
    assert_eq!(leak.versions[0].notes, "os: macos");

    let kinds: Vec<(String, NoteKind)> = import
        .report
        .notes
        .iter()
        .map(|n| (n.id.clone(), n.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "demo/widget-crash/tool1-linux".to_string(),
                NoteKind::RegexFailed
            ),
            (
                "demo/widget-leak/tool1-macos".to_string(),
                NoteKind::RegexNotMatching
            ),
            (id.to_string(), NoteKind::RegexTranslated),
        ]
    );
}

#[test]
fn errorcanon_round_trip_keeps_every_field() {
    let seed = "errorcanon/github-actions-oidc-token-permission-denied.json";
    let sparse = "errorcanon-sparse/npm-registry-e404.json";
    // SRC may be a file or a directory.
    for (src, file, id) in [
        (
            fixture(seed),
            fixture(seed),
            "policy/github-actions-oidc-token-permission-denied",
        ),
        (
            fixture("errorcanon-sparse"),
            fixture(sparse),
            "demo/npm.registry-e404",
        ),
    ] {
        let out = tempfile::tempdir().unwrap();
        let run = logdoc(&["import", "errorcanon", s(&src), "--out", s(out.path())]);
        assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
        assert!(!stdout(&run).contains("round trip"), "{}", stdout(&run));
        load_clean(out.path());

        let exported = out.path().join("exported.json");
        let run = logdoc(&[
            "export",
            "errorcanon",
            id,
            "--catalog",
            s(out.path()),
            "--out",
            s(&exported),
        ]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(0), "{stderr}");

        let original: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let back: Value = serde_json::from_slice(&std::fs::read(&exported).unwrap()).unwrap();
        assert_eq!(back, original, "{}", file.display());
    }
}

#[test]
fn errorcanon_file_may_hold_an_array() {
    let one: Value = serde_json::from_slice(
        &std::fs::read(fixture("errorcanon-sparse/npm-registry-e404.json")).unwrap(),
    )
    .unwrap();
    let mut two = one.clone();
    two["id"] = "demo/npm-registry-e404-again".into();
    two["domain"] = "demo".into();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("entries.json");
    std::fs::write(&file, serde_json::to_vec(&[one, two]).unwrap()).unwrap();

    let import = errorcanon::convert(&file, &mut |_, _| {}).unwrap();
    assert_eq!((import.report.files_read, import.report.imported), (1, 2));
    let paths: Vec<&Path> = import.files.iter().map(|f| f.path.as_path()).collect();
    assert_eq!(
        paths,
        [
            Path::new("demo/npm-registry-e404-again.md"),
            Path::new("demo/npm.registry-e404.md")
        ]
    );
}

#[test]
fn errorcanon_zh_fields_become_a_translation() {
    let import = errorcanon::convert(&fixture("errorcanon"), &mut |_, _| {}).unwrap();
    let out = tempfile::tempdir().unwrap();
    logdoc::import::write(out.path(), &import.files).unwrap();
    assert!(
        out.path()
            .join("policy/github-actions-oidc-token-permission-denied.zh.md")
            .is_file()
    );
    let catalog = load_clean(out.path());
    let entry = catalog
        .get("policy/github-actions-oidc-token-permission-denied")
        .unwrap();
    let zh = &entry.translations["zh"].meta;
    assert_eq!(
        zh.signature.as_deref(),
        Some("错误:请求 OIDC 令牌失败:403 禁止。工作流不允许为此组织请求 OIDC 令牌。")
    );
    assert!(
        zh.root_cause
            .as_deref()
            .unwrap()
            .starts_with("GitHub Actions OIDC 令牌请求被拒绝")
    );
    let m = &entry.meta;
    assert_eq!(
        (m.fix_rate, m.confidence, m.evidence_count),
        (0.78, 0.87, 1)
    );
    assert_eq!(m.versions[1].product, "GitHub Enterprise Server");
    assert_eq!(m.dead_ends[0].fail_rate, 1.0);
    assert_eq!(m.docs[0].lang, "en");
    assert!(m.provenance.ai_generated);
    assert_eq!(
        m.provenance.imported_from.as_ref().unwrap().source,
        "errorcanon"
    );
}

#[test]
fn bad_usage_exits_2() {
    let out = tempfile::tempdir().unwrap();
    let run = logdoc(&[
        "import",
        "deadends",
        "/nonexistent/logdoc-src",
        "--out",
        s(out.path()),
    ]);
    assert_eq!(run.status.code(), Some(2));
    let run = logdoc(&["import", "nosuchbase", "x", "--out", s(out.path())]);
    assert_eq!(run.status.code(), Some(2));
    let run = logdoc(&[
        "export",
        "errorcanon",
        "no/such-entry",
        "--catalog",
        s(out.path()),
    ]);
    assert_eq!(run.status.code(), Some(2));
}

/// One entry of a catalog directory, loaded on its own (loading all 1,970 entries
/// again would compile every regex again, slow in debug builds).
fn entry_at(dir: &Path, id: &str) -> catalog::Entry {
    let alone = tempfile::tempdir().unwrap();
    let rel = PathBuf::from(format!("{id}.md"));
    std::fs::create_dir_all(alone.path().join(rel.parent().unwrap())).unwrap();
    std::fs::copy(dir.join(&rel), alone.path().join(&rel)).unwrap();
    // Relations name entries left behind: those problems are expected here.
    let loaded = catalog::load(&[alone.path()]);
    loaded
        .catalog
        .get(id)
        .cloned()
        .unwrap_or_else(|| panic!("{id}: {:?}", loaded.problems))
}

/// The deadends.dev data set, if this checkout has it next to the crate.
fn deadends_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/deadends");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}

#[test]
fn full_deadends_set_imports_deterministically_and_checks_clean() {
    let Some(src) = deadends_data() else { return };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Two imports side by side (determinism is checked below), so the test stays fast.
    let spawn = |out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_logdoc"))
            .args(["import", "deadends", s(&src), "--out", s(out)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run logdoc")
    };
    let (run_a, run_b) = (spawn(a.path()), spawn(b.path()));
    let first = run_a.wait_with_output().unwrap();
    let second = run_b.wait_with_output().unwrap();
    let text = stdout(&first);
    assert_eq!(first.status.code(), Some(0), "{text}");
    let summary = text.lines().last().unwrap();
    assert!(
        summary.starts_with("files read: 1970, imported: 1970, skipped: 0; regexes translated: 0, failed: 0, not matching their signature: 49; ids mapped: 0"),
        "{summary}"
    );
    assert!(String::from_utf8_lossy(&first.stderr).contains("1800/1970 files"));

    // Determinism: the second run gives the same report and the same bytes.
    assert_eq!(stdout(&second), text);
    let (ta, tb) = (tree(a.path()), tree(b.path()));
    assert_eq!(ta.len(), 1970);
    assert!(ta == tb, "the two imports differ");

    let check = logdoc(&["check", s(a.path())]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert!(String::from_utf8_lossy(&check.stderr).contains("checked 1970 entries"));

    // Spot checks on three canons.
    let grpc = &entry_at(a.path(), "grpc/deadline-exceeded/grpc1-linux").meta;
    assert_eq!(grpc.signature, "DEADLINE_EXCEEDED: Deadline exceeded");
    assert_eq!(
        grpc.patterns[0].regex,
        "(?i)(DEADLINE_EXCEEDED|deadline exceeded)"
    );
    assert_eq!(
        (grpc.fix_rate, grpc.confidence, grpc.evidence_count),
        (0.8, 0.85, 3)
    );
    assert_eq!(
        grpc.root_cause,
        "RPC did not complete before deadline. Slow server or network."
    );
    assert_eq!(grpc.versions[0].requires.as_deref(), Some("grpc >=1.50"));
    assert_eq!(
        grpc.fixes[1].action,
        "Implement retry with exponential backoff"
    );
    assert_eq!(grpc.dead_ends[1].fail_rate, 0.9);
    assert_eq!(
        grpc.provenance.sources,
        ["https://grpc.io/docs/guides/deadlines/"]
    );

    let cmake = entry_at(a.path(), "cmake/policy-cmp-warning/cmake3.28-linux");
    assert!(
        a.path()
            .join("cmake/policy-cmp-warning/cmake3.28-linux.md")
            .is_file()
    );
    let from = cmake.meta.provenance.imported_from.as_ref().unwrap();
    assert_eq!(from.source_id, "cmake/policy-cmp-warning/cmake3.28-linux");
    assert_eq!(
        cmake.meta.fixes[0].how,
        "cmake_policy(SET CMP0077 NEW)  # then update code to match new behavior"
    );
    assert_eq!(cmake.meta.category, "deprecation_warning");

    let node = entry_at(a.path(), "node/cannot-find-module-npm/node20-linux");
    let r = &node.meta.related;
    assert_eq!(
        r.leads_to,
        [
            "node/err-module-not-found/node20-linux",
            "node/err-require-esm/node20-linux"
        ]
    );
    assert_eq!(
        r.preceded_by,
        ["node/eacces-permission-denied/node20-linux"]
    );
    assert_eq!(
        r.confused_with[1].id,
        "typescript/ts2307-cannot-find-module/ts5-linux"
    );
    // Its regex misses the (shortened) signature: kept first, since it is written for
    // the real message, with the signature's pattern beside it.
    let regexes: Vec<&str> = node
        .meta
        .patterns
        .iter()
        .map(|p| p.regex.as_str())
        .collect();
    assert_eq!(
        regexes,
        [
            r#"(?i)Error: Cannot find module ['\"](.+?)['\"]"#,
            "(?i)Error: Cannot find module"
        ]
    );
    let x = extra(&node);
    assert!(x["error"].get("regex").is_none(), "kept as a pattern: {x}");
    assert_eq!(x["transition_graph"]["leads_to"][1]["probability"], 0.15);
    assert!(
        text.contains(
            "node/cannot-find-module-npm/node20-linux): regex does not match its signature"
        )
    );

    // The imported catalog works beside the bundled one on a real log: the curated
    // entry comes first, the imported neighbour is found too.
    let run = logdoc(&[
        "diagnose",
        "--catalog",
        "catalog",
        "--catalog",
        s(a.path()),
        "--format",
        "json",
        "tests/golden/gha-gradle-compose-dockerhub-rate-limit.log",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    let ids: Vec<&str> = report["diagnoses"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["id"].as_str())
        .collect();
    assert_eq!(
        ids.first(),
        Some(&"docker/dockerhub-pull-rate-limit"),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"cicd/docker-rate-limit/docker-linux"),
        "{ids:?}"
    );
}
